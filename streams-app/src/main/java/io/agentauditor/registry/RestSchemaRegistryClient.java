package io.agentauditor.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SchemaRegistryClient} over the Confluent Schema Registry REST API, with {@link
 * java.net.http.HttpClient}. Thread-safe.
 *
 * <p>What it does to work unchanged against Confluent, Apicurio (ccompat), Karapace and Redpanda:
 *
 * <ul>
 *   <li>The request body is {@code {"schema": "..."}} only: {@code schemaType} is left out (every
 *       registry defaults it to AVRO), and no {@code references}/{@code metadata}/{@code ruleSet}
 *       keys are sent (Redpanda rejects keys it does not support with 422).
 *   <li>{@code Content-Type: application/vnd.schemaregistry.v1+json} (Karapace answers 415 to other
 *       types), and the Accept header lists the v1, unversioned and plain JSON types, which all four
 *       accept; responses are parsed whatever their content type.
 *   <li>The base URL keeps its path (Apicurio serves the API under {@code /apis/ccompat/v7}); the
 *       subject is percent-encoded as one path segment.
 *   <li>HTTP/1.1 only: no h2c upgrade headers for proxies in front of a registry to trip on.
 *   <li>Unknown response fields are ignored (newer Confluent versions return more than {@code id});
 *       an error body that is not JSON (a proxy's 502 page) still gives a typed exception.
 * </ul>
 *
 * <p>Failures: a request goes to the URL that last answered, then fails over to the next URL on no
 * response or a 5xx; after every URL failed, it waits (exponential backoff with jitter, capped) and
 * tries again, at most {@code max.retries} times. A 4xx is thrown at once.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

  private static final Logger LOGGER = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";
  private static final int MAX_ERROR_BODY_CHARS = 300;

  private record Endpoint(URI base, String authorization) {}

  private record SubjectSchema(String subject, Schema schema) {}

  private final List<Endpoint> endpoints;
  private final HttpClient http;
  private final SchemaRegistryClientConfig config;
  private final AtomicInteger preferred = new AtomicInteger();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

  /**
   * A client for the URLs of {@code config}.
   *
   * @throws ConfigException when the TLS stores cannot be loaded, naming the key
   */
  public RestSchemaRegistryClient(SchemaRegistryClientConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    if (config.urls().isEmpty()) {
      throw new ConfigException(SchemaRegistryClientConfig.URL, "mock://" + config.mockScope(),
          "a REST client needs http(s) URLs");
    }
    List<Endpoint> list = new ArrayList<>();
    for (URI url : config.urls()) {
      list.add(new Endpoint(withoutUserInfo(url), authorization(config, url)));
    }
    this.endpoints = List.copyOf(list);
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER);
    SSLContext ssl = sslContext(config);
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    this.http = builder.build();
  }

  @Override
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode body = send("POST", "/subjects/" + segment(subject) + "/versions", schemaBody(schema));
    int id = requiredInt(body, "id", "register " + subject);
    idsBySubjectSchema.put(key, id);
    schemasById.putIfAbsent(id, schema);
    LOGGER.debug("Registered schema {} under subject {} as id {}", schema.getFullName(), subject, id);
    return id;
  }

  @Override
  public Schema getById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode body = send("GET", "/schemas/ids/" + id, null);
    Schema schema = parseSchema(body, "schema id " + id);
    schemasById.putIfAbsent(id, schema);
    return schemasById.get(id);
  }

  @Override
  public int getId(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode body = send("POST", "/subjects/" + segment(subject), schemaBody(schema));
    int id = requiredInt(body, "id", "look up " + subject);
    idsBySubjectSchema.put(key, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public RegisteredSchema getLatest(String subject) {
    JsonNode body = send("GET", "/subjects/" + segment(subject) + "/versions/latest", null);
    String what = "latest version of " + subject;
    int id = requiredInt(body, "id", what);
    Schema schema = parseSchema(body, what);
    schemasById.putIfAbsent(id, schema);
    return new RegisteredSchema(subject, requiredInt(body, "version", what), id, schema);
  }

  private static String schemaBody(Schema schema) {
    ObjectNode node = JSON.createObjectNode();
    node.put("schema", schema.toString());
    return node.toString();
  }

  /** Sends with failover and retries; returns the parsed 2xx body. */
  private JsonNode send(String method, String path, String body) {
    SchemaRegistryException last = null;
    int retries = config.maxRetries();
    for (int attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        backoff(attempt, last);
      }
      int start = preferred.get();
      for (int i = 0; i < endpoints.size(); i++) {
        int index = (start + i) % endpoints.size();
        Endpoint endpoint = endpoints.get(index);
        try {
          JsonNode result = sendOnce(endpoint, method, path, body);
          preferred.set(index);
          return result;
        } catch (SchemaRegistryException e) {
          if (!e.isRetriable()) {
            throw e;
          }
          LOGGER.warn("Schema registry request failed (try {} of {}): {}", attempt + 1, retries + 1, e.getMessage());
          last = e;
        }
      }
    }
    throw last;
  }

  private JsonNode sendOnce(Endpoint endpoint, String method, String path, String body) {
    URI uri = URI.create(stripTrailingSlash(endpoint.base().toString()) + path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(config.requestTimeout())
        .header("Accept", ACCEPT);
    if (endpoint.authorization() != null) {
      request.header("Authorization", endpoint.authorization());
    }
    if (body != null) {
      request.header("Content-Type", CONTENT_TYPE);
      request.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    String what = method + " " + uri;
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      throw new SchemaRegistryException(what + ": no response within " + config.requestTimeout().toMillis()
          + " ms", SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_ERROR_CODE, e);
    } catch (IOException e) {
      throw new SchemaRegistryException(what + ": " + e, SchemaRegistryException.NO_RESPONSE,
          SchemaRegistryException.NO_ERROR_CODE, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException(what + ": interrupted", SchemaRegistryException.NO_RESPONSE,
          SchemaRegistryException.NO_ERROR_CODE, e);
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      try {
        return JSON.readTree(response.body());
      } catch (IOException e) {
        throw new SchemaRegistryException(what + ": " + status + " with a body that is not JSON: "
            + abbreviate(response.body()), status, SchemaRegistryException.NO_ERROR_CODE, e);
      }
    }
    throw errorOf(what, status, response.body());
  }

  private static SchemaRegistryException errorOf(String what, int status, String body) {
    int errorCode = SchemaRegistryException.NO_ERROR_CODE;
    String message = abbreviate(body);
    try {
      JsonNode node = JSON.readTree(body);
      if (node != null && node.isObject()) {
        if (node.path("error_code").canConvertToInt()) {
          errorCode = node.get("error_code").intValue();
        }
        if (node.path("message").isTextual()) {
          message = node.get("message").textValue();
        }
      }
    } catch (IOException notJson) {
      // keep the raw (abbreviated) body as the message: a proxy's error page says what went wrong
    }
    String code = errorCode == SchemaRegistryException.NO_ERROR_CODE ? "" : " (error_code " + errorCode + ")";
    return new SchemaRegistryException(what + ": HTTP " + status + code + ": " + message, status, errorCode);
  }

  private void backoff(int attempt, SchemaRegistryException cause) {
    long base = config.retryWait().toMillis();
    long max = config.retryMaxWait().toMillis();
    long wait = Math.min(max, base << Math.min(attempt - 1, 20));
    // Full jitter around the exponential step keeps many stream threads from retrying in lockstep.
    long sleep = wait <= 0 ? 0 : wait / 2 + ThreadLocalRandom.current().nextLong(wait / 2 + 1);
    try {
      Thread.sleep(sleep);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("interrupted while backing off: " + cause.getMessage(),
          SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_ERROR_CODE, e);
    }
  }

  private static Schema parseSchema(JsonNode body, String what) {
    String type = body.path("schemaType").asText("AVRO");
    if (!"AVRO".equalsIgnoreCase(type)) {
      throw new SchemaRegistryException(what + " is a " + type + " schema, not AVRO", 200,
          SchemaRegistryException.NO_ERROR_CODE);
    }
    JsonNode text = body.get("schema");
    if (text == null || !text.isTextual()) {
      throw new SchemaRegistryException(what + ": response has no schema", 200, SchemaRegistryException.NO_ERROR_CODE);
    }
    try {
      return new Schema.Parser().parse(text.textValue());
    } catch (SchemaParseException | org.apache.avro.AvroTypeException e) {
      throw new SchemaRegistryException(what + ": the registry's schema does not parse: " + e.getMessage(),
          200, SchemaRegistryException.NO_ERROR_CODE, e);
    }
  }

  private static int requiredInt(JsonNode body, String field, String what) {
    JsonNode node = body == null ? null : body.get(field);
    if (node == null || !node.canConvertToInt()) {
      throw new SchemaRegistryException(what + ": response has no integer " + field + ": " + body, 200,
          SchemaRegistryException.NO_ERROR_CODE);
    }
    return node.intValue();
  }

  static String segment(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String stripTrailingSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static String abbreviate(String body) {
    if (body == null) {
      return "";
    }
    String oneLine = body.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= MAX_ERROR_BODY_CHARS ? oneLine : oneLine.substring(0, MAX_ERROR_BODY_CHARS) + "...";
  }

  private static URI withoutUserInfo(URI url) {
    if (url.getRawUserInfo() == null) {
      return url;
    }
    String s = url.toString();
    return URI.create(s.replaceFirst("//[^/@]*@", "//"));
  }

  private static String authorization(SchemaRegistryClientConfig config, URI url) {
    String userInfo = switch (config.credentialsSource()) {
      case USER_INFO -> config.userInfo();
      case URL -> url.getUserInfo();
    };
    if (userInfo == null || userInfo.isEmpty()) {
      return null;
    }
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  private static SSLContext sslContext(SchemaRegistryClientConfig config) {
    String trustLocation = config.getString(SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION);
    String keyLocation = config.getString(SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION);
    if (trustLocation == null && keyLocation == null) {
      return null; // the JVM's default context
    }
    try {
      TrustManagerFactory tmf = null;
      if (trustLocation != null) {
        KeyStore trust = load(trustLocation, config.getString(SchemaRegistryClientConfig.SSL_TRUSTSTORE_TYPE),
            config.password(SchemaRegistryClientConfig.SSL_TRUSTSTORE_PASSWORD),
            SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION);
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
      }
      KeyManagerFactory kmf = null;
      if (keyLocation != null) {
        String storePassword = config.password(SchemaRegistryClientConfig.SSL_KEYSTORE_PASSWORD);
        KeyStore keys = load(keyLocation, config.getString(SchemaRegistryClientConfig.SSL_KEYSTORE_TYPE),
            storePassword, SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION);
        String keyPassword = config.password(SchemaRegistryClientConfig.SSL_KEY_PASSWORD);
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        String pw = keyPassword != null ? keyPassword : storePassword;
        kmf.init(keys, pw == null ? null : pw.toCharArray());
      }
      SSLContext ctx = SSLContext.getInstance(config.getString(SchemaRegistryClientConfig.SSL_PROTOCOL));
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new ConfigException(SchemaRegistryClientConfig.SSL_PROTOCOL,
          config.getString(SchemaRegistryClientConfig.SSL_PROTOCOL), "cannot build the TLS context: " + e.getMessage());
    }
  }

  private static KeyStore load(String location, String type, String password, String key) {
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password == null ? null : password.toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(key, location, "cannot load the " + type + " store: " + e.getMessage());
    }
  }
}
