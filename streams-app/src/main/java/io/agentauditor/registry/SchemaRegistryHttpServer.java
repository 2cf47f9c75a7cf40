package io.agentauditor.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SchemaRegistryClient} (in practice the {@link InMemorySchemaRegistry} of {@code
 * ./auditor demo}) served over HTTP on loopback with the part of the Confluent Schema Registry REST
 * API that {@link RestSchemaRegistryClient} speaks, so processes other than the one holding the
 * registry ({@code ./auditor run}, {@code produce}, {@code replay --topic}, {@code kcat -s
 * value=avro -r URL}) read and write the same ids:
 *
 * <ul>
 *   <li>{@code POST /subjects/{subject}/versions} {@code {"schema": "..."}}: register, {@code
 *       {"id": N}};
 *   <li>{@code POST /subjects/{subject}}: look a schema up, {@code {"subject", "id", "schema"}};
 *   <li>{@code GET /schemas/ids/{id}}: {@code {"schema": "..."}};
 *   <li>{@code GET /subjects/{subject}/versions/latest}: {@code {"subject", "version", "id",
 *       "schema"}}.
 * </ul>
 *
 * Errors are answered as Confluent answers them: the status and {@code {"error_code", "message"}}
 * (404 with 40401 or 40403, 409 for an incompatible schema, 422 with 42201 for a body that is not a
 * schema); another path is 404, another method 405. Only Avro schemas, and no authentication: it
 * binds the loopback address only. {@link #close()} stops at once.
 */
public final class SchemaRegistryHttpServer implements AutoCloseable {

  private static final Logger LOGGER = LoggerFactory.getLogger(SchemaRegistryHttpServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTENT_TYPE = RestSchemaRegistryClient.CONTENT_TYPE;
  private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");
  private static final Pattern LATEST = Pattern.compile("/subjects/([^/]+)/versions/latest");
  private static final Pattern SUBJECT = Pattern.compile("/subjects/([^/]+)");
  private static final Pattern SCHEMA_ID = Pattern.compile("/schemas/ids/(\\d{1,9})");

  private final HttpServer server;
  private final ExecutorService executor;
  private final SchemaRegistryClient registry;

  private SchemaRegistryHttpServer(HttpServer server, ExecutorService executor, SchemaRegistryClient registry) {
    this.server = server;
    this.executor = executor;
    this.registry = registry;
  }

  /**
   * Serves {@code registry} on the loopback address, port {@code port} (0 picks a free one).
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public static SchemaRegistryHttpServer start(SchemaRegistryClient registry, int port) {
    Objects.requireNonNull(registry, "registry");
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the schema registry to loopback port " + port, e);
    }
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            runnable -> {
              Thread thread = new Thread(runnable, "schema-registry-http");
              thread.setDaemon(true);
              return thread;
            });
    SchemaRegistryHttpServer served = new SchemaRegistryHttpServer(server, executor, registry);
    server.createContext("/", served::handle);
    server.setExecutor(executor);
    server.start();
    LOGGER.info("Schema registry served at {}", served.uri());
    return served;
  }

  /** {@code http://127.0.0.1:PORT}: the value of {@code schema.registry.url} for clients. */
  public URI uri() {
    InetSocketAddress address = server.getAddress();
    return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      route(exchange);
    } catch (MethodNotAllowed e) {
      exchange.getResponseHeaders().set("Allow", e.getMessage());
      error(exchange, 405, 405, "HTTP 405 Method Not Allowed");
    } catch (SchemaRegistryException e) {
      int status = e.status() == SchemaRegistryException.NO_RESPONSE ? 500 : e.status();
      int code = e.errorCode() == SchemaRegistryException.NO_ERROR_CODE ? status : e.errorCode();
      error(exchange, status, code, e.getMessage());
    } catch (RuntimeException e) {
      LOGGER.warn("Schema registry failed on {}: {}", exchange.getRequestURI(), e.toString());
      error(exchange, 500, 50001, "Error in the backend data store");
    } finally {
      exchange.close();
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    Matcher m;
    if ((m = SCHEMA_ID.matcher(path)).matches()) {
      requireMethod(exchange, "GET");
      ObjectNode body = JSON.createObjectNode();
      body.put("schema", registry.getById(Integer.parseInt(m.group(1))).toString());
      respond(exchange, 200, body);
    } else if ((m = LATEST.matcher(path)).matches()) {
      requireMethod(exchange, "GET");
      RegisteredSchema latest = registry.getLatest(decode(m.group(1)));
      ObjectNode body = JSON.createObjectNode();
      body.put("subject", latest.subject());
      body.put("version", latest.version());
      body.put("id", latest.id());
      body.put("schema", latest.schema().toString());
      respond(exchange, 200, body);
    } else if ((m = VERSIONS.matcher(path)).matches()) {
      requireMethod(exchange, "POST");
      int id = registry.register(decode(m.group(1)), schemaOf(exchange));
      respond(exchange, 200, JSON.createObjectNode().put("id", id));
    } else if ((m = SUBJECT.matcher(path)).matches()) {
      requireMethod(exchange, "POST");
      String subject = decode(m.group(1));
      Schema schema = schemaOf(exchange);
      int id = registry.getId(subject, schema);
      ObjectNode body = JSON.createObjectNode();
      body.put("subject", subject);
      body.put("id", id);
      body.put("schema", schema.toString());
      respond(exchange, 200, body);
    } else {
      error(exchange, 404, 404, "HTTP 404 Not Found");
    }
  }

  /** The request body's schema: {@code {"schema": "..."}}, Avro only. */
  private static Schema schemaOf(HttpExchange exchange) throws IOException {
    JsonNode body;
    try (InputStream in = exchange.getRequestBody()) {
      body = JSON.readTree(in.readNBytes(16 << 20));
    } catch (IOException e) {
      throw invalid("the body is not JSON");
    }
    if (body == null || !body.path("schema").isTextual()) {
      throw invalid("the body has no \"schema\" string");
    }
    String type = body.path("schemaType").asText("AVRO");
    if (!"AVRO".equalsIgnoreCase(type)) {
      throw invalid("only AVRO schemas are served here, not " + type);
    }
    try {
      return new Schema.Parser().parse(body.get("schema").textValue());
    } catch (SchemaParseException | org.apache.avro.AvroTypeException e) {
      throw invalid("Invalid schema: " + e.getMessage());
    }
  }

  private static SchemaRegistryException invalid(String message) {
    return new SchemaRegistryException(message, 422, SchemaRegistryException.INVALID_SCHEMA);
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static void requireMethod(HttpExchange exchange, String method) {
    if (!exchange.getRequestMethod().equals(method)) {
      throw new MethodNotAllowed(method);
    }
  }

  private static final class MethodNotAllowed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MethodNotAllowed(String allowed) {
      super(allowed, null, false, false);
    }
  }

  private static void error(HttpExchange exchange, int status, int errorCode, String message)
      throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("error_code", errorCode);
    body.put("message", message);
    respond(exchange, status, body);
  }

  private static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops serving at once; requests in flight are cut. Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
