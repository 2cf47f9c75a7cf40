package io.agentauditor.load;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.IntConsumer;

/**
 * A lean HTTP/1.1 client for the latency benchmark: {@code n} keep-alive connections, each with a
 * thread that takes the next request from one queue, posts it and reads the answer. The load
 * generator shares the machine's cores with the auditor and the broker; the JDK's {@code
 * HttpClient} spent about 500 µs of CPU per request here, more than the decision API itself, so
 * it disturbed what it measured. A request waits in the queue only while every connection is
 * busy, and the benchmark measures from the intended send time, so that wait is counted.
 */
final class PostConnections implements AutoCloseable {

  private record Post(byte[] body, IntConsumer answered) {}

  private static final Post STOP = new Post(null, null);

  private final BlockingQueue<Post> queue = new LinkedBlockingQueue<>();
  private final Thread[] threads;
  private final byte[] head;
  private final InetSocketAddress address;

  /** Connections to {@code uri} (host, port and path of the POST); {@code n} threads. */
  PostConnections(URI uri, int n) {
    this.address = new InetSocketAddress(uri.getHost(), uri.getPort());
    this.head = ("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":"
        + uri.getPort() + "\r\nContent-Type: application/json\r\nContent-Length: ")
        .getBytes(StandardCharsets.US_ASCII);
    this.threads = new Thread[n];
    for (int i = 0; i < n; i++) {
      threads[i] = new Thread(this::serve, "post-connection-" + i);
      threads[i].setDaemon(true);
      threads[i].start();
    }
  }

  /** Posts {@code body}; {@code answered} gets the status, or -1 when the connection failed. */
  void post(byte[] body, IntConsumer answered) {
    queue.add(new Post(body, answered));
  }

  private void serve() {
    Socket socket = null;
    try {
      while (true) {
        Post p = queue.take();
        if (p == STOP) {
          break;
        }
        int status;
        try {
          if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 5_000);
          }
          status = exchange(socket, p.body);
        } catch (IOException e) {
          status = -1;
        }
        if ((status < 0 || status >= CLOSED) && socket != null) {
          close(socket);
          socket = null;
          status = status < 0 ? status : status - CLOSED;
        }
        p.answered.accept(status);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (socket != null) {
        close(socket);
      }
    }
  }

  /** Added to a status when the server closes the connection after the answer. */
  private static final int CLOSED = 1000;

  /**
   * One request and its answer on {@code socket}: the status (plus {@link #CLOSED} when the server
   * closes the connection after it), or -1 when the server closed before answering.
   */
  private int exchange(Socket socket, byte[] body) throws IOException {
    OutputStream out = socket.getOutputStream();
    byte[] length = (body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[head.length + length.length + body.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(length, 0, request, head.length, length.length);
    System.arraycopy(body, 0, request, head.length + length.length, body.length);
    out.write(request);
    out.flush();
    InputStream in = input(socket);
    String statusLine = line(in);
    if (statusLine == null || statusLine.length() < 12) {
      return -1;
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long contentLength = 0;
    boolean close = false;
    String header;
    while ((header = line(in)) != null && !header.isEmpty()) {
      String h = header.toLowerCase(Locale.ROOT);
      if (h.startsWith("content-length:")) {
        contentLength = Long.parseLong(h.substring(15).trim());
      } else if (h.startsWith("connection:") && h.contains("close")) {
        close = true;
      }
    }
    if (header == null) {
      return -1;
    }
    in.skipNBytes(contentLength);
    return close ? status + CLOSED : status;
  }

  private final ThreadLocal<InputStream> inputs = new ThreadLocal<>();
  private final ThreadLocal<Socket> inputOf = new ThreadLocal<>();

  private InputStream input(Socket socket) throws IOException {
    if (inputOf.get() != socket) {
      inputOf.set(socket);
      inputs.set(new BufferedInputStream(socket.getInputStream(), 16_384));
    }
    return inputs.get();
  }

  /** A line without its CRLF, or null at the end of the stream. */
  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder(64);
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int n = b.length();
        return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
      }
      b.append((char) c);
    }
    return b.length() == 0 ? null : b.toString();
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a failed connection: nothing more to do
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < threads.length; i++) {
      queue.add(STOP);
    }
  }
}
