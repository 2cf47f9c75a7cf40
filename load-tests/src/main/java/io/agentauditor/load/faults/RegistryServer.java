package io.agentauditor.load.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentauditor.registry.InMemorySchemaRegistry;
import io.agentauditor.registry.RegisteredSchema;
import io.agentauditor.registry.SchemaRegistryException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.Schema;

/**
 * The four calls of the Confluent Schema Registry REST API that the serde makes, served over HTTP
 * on 127.0.0.1 from an {@link InMemorySchemaRegistry}, so that separate processes (the harness's
 * producer, every auditor instance, the verifier) share one set of schema ids. Lives as long as the
 * harness; not a product component.
 */
final class RegistryServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.named("faults-" + UUID.randomUUID());

  RegistryServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      String[] parts = path.split("/");
      ObjectNode out = JSON.createObjectNode();
      int status = 200;
      try {
        if (path.startsWith("/schemas/ids/")) {
          out.put("schema", registry.getById(Integer.parseInt(parts[3])).toString());
        } else if (path.startsWith("/subjects/")) {
          String subject = URLDecoder.decode(parts[2], StandardCharsets.UTF_8);
          if (path.endsWith("/versions/latest")) {
            RegisteredSchema latest = registry.getLatest(subject);
            out.put("subject", subject).put("id", latest.id()).put("version", latest.version())
                .put("schema", latest.schema().toString());
          } else {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            Schema schema = new Schema.Parser().parse(body.get("schema").asText());
            if (path.endsWith("/versions")) {
              out.put("id", registry.register(subject, schema));
            } else {
              out.put("subject", subject).put("id", registry.getId(subject, schema))
                  .put("schema", schema.toString());
            }
          }
        } else {
          status = 404;
          out.put("error_code", 404).put("message", "not found: " + path);
        }
      } catch (SchemaRegistryException e) {
        status = e.status() > 0 ? e.status() : 500;
        out = JSON.createObjectNode().put("error_code", e.errorCode()).put("message", e.getMessage());
      } catch (RuntimeException e) {
        status = 500;
        out = JSON.createObjectNode().put("error_code", 50001).put("message", e.toString());
      }
      byte[] bytes = JSON.writeValueAsBytes(out);
      exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    // The pool's threads are not daemons: left running, they keep the harness's JVM alive.
    executor.shutdownNow();
    InMemorySchemaRegistry.drop(registry.name());
  }
}
