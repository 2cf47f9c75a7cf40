package io.agentauditor.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Typed, validated configuration of a {@link SchemaRegistryClient}. Key names are Confluent's, so a
 * serde configuration written for Confluent's serializers works unchanged.
 *
 * <p>Unknown keys are ignored (the same map carries the serde's and Kafka's own keys). Errors are
 * {@link ConfigException}s naming the key and the bad value; passwords are never printed.
 */
public final class SchemaRegistryClientConfig extends AbstractConfig {

  /** Comma-separated registry base URLs, tried in order and failed over; or one {@code mock://NAME}. */
  public static final String URL = "schema.registry.url";
  /** Where basic-auth credentials come from: {@code URL} (user info of each URL) or {@code USER_INFO}. */
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  /** {@code user:password} for {@code basic.auth.credentials.source=USER_INFO}. */
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  /** Connection timeout in milliseconds. */
  public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
  /** Per-request timeout in milliseconds: from sending the request until the whole response is read. */
  public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
  /** Retries after the first try of a request, on 5xx and on no response; never on 4xx. */
  public static final String MAX_RETRIES = "max.retries";
  /** Backoff before the first retry in milliseconds; doubles on each retry. */
  public static final String RETRIES_WAIT_MS = "retries.wait.ms";
  /** Upper bound of the backoff in milliseconds. */
  public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
  /** Truststore file for https registries; the JVM's default trust when unset. */
  public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  /** Truststore password. */
  public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  /** Truststore type (JKS, PKCS12). */
  public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  /** Keystore file holding the client certificate for mutual TLS; none when unset. */
  public static final String SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
  /** Keystore password. */
  public static final String SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
  /** Keystore type (JKS, PKCS12). */
  public static final String SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
  /** Password of the private key in the keystore; the keystore password when unset. */
  public static final String SSL_KEY_PASSWORD = "schema.registry.ssl.key.password";
  /** SSLContext protocol. */
  public static final String SSL_PROTOCOL = "schema.registry.ssl.protocol";

  /** The credential sources of {@link #BASIC_AUTH_CREDENTIALS_SOURCE}. */
  public enum CredentialsSource {
    URL,
    USER_INFO
  }

  public static final ConfigDef CONFIG_DEF = define(new ConfigDef());

  private final List<URI> urls;
  private final String mockScope;

  public SchemaRegistryClientConfig(Map<String, ?> originals) {
    super(CONFIG_DEF, originals, false);
    List<String> raw = getList(URL);
    if (raw.isEmpty()) {
      throw new ConfigException(URL, "", "at least one URL is required");
    }
    long mocks = raw.stream().filter(u -> u.startsWith("mock://")).count();
    if (mocks > 0) {
      if (raw.size() != 1) {
        throw new ConfigException(URL, String.join(",", raw), "mock:// cannot be combined with other URLs");
      }
      mockScope = raw.get(0).substring("mock://".length());
      if (mockScope.isEmpty()) {
        throw new ConfigException(URL, raw.get(0), "mock:// needs a scope name, e.g. mock://demo");
      }
      urls = List.of();
    } else {
      mockScope = null;
      urls = parseUrls(raw);
    }
    if (credentialsSource() == CredentialsSource.USER_INFO) {
      Password info = getPassword(BASIC_AUTH_USER_INFO);
      if (info == null || !info.value().contains(":")) {
        throw new ConfigException(BASIC_AUTH_USER_INFO, "[hidden]",
            "must be user:password when " + BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO");
      }
    }
  }

  /**
   * Adds this client's keys to {@code def} (the serde's config definition reuses them) and returns it.
   */
  public static ConfigDef define(ConfigDef def) {
    return def
        .define(URL, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
            "Comma-separated base URLs of the schema registry (with the API's path prefix, e.g. "
                + "http://apicurio:8080/apis/ccompat/v7). Tried in order: a URL that fails with no "
                + "response or a 5xx hands over to the next. mock://NAME selects the in-memory registry "
                + "shared within the JVM under NAME.")
        .define(BASIC_AUTH_CREDENTIALS_SOURCE, Type.STRING, "URL",
            ConfigDef.CaseInsensitiveValidString.in("URL", "USER_INFO"), Importance.MEDIUM,
            "Where basic-auth credentials come from: URL takes the user info of each URL "
                + "(http://user:pass@host), USER_INFO takes " + BASIC_AUTH_USER_INFO + ".")
        .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
            "user:password for basic auth when the credentials source is USER_INFO.")
        .define(CONNECT_TIMEOUT_MS, Type.INT, 5_000, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Timeout to open a connection to the registry, in milliseconds.")
        .define(READ_TIMEOUT_MS, Type.INT, 10_000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
            "Timeout of one request, from sending it to the end of its response, in milliseconds.")
        .define(MAX_RETRIES, Type.INT, 3, ConfigDef.Range.between(0, 20), Importance.LOW,
            "Retries of a request that got no response or a 5xx from every URL; 4xx is never retried.")
        .define(RETRIES_WAIT_MS, Type.INT, 200, ConfigDef.Range.atLeast(0), Importance.LOW,
            "Backoff before the first retry in milliseconds; doubles on each retry.")
        .define(RETRIES_MAX_WAIT_MS, Type.INT, 5_000, ConfigDef.Range.atLeast(0), Importance.LOW,
            "Upper bound of the retry backoff in milliseconds.")
        .define(SSL_TRUSTSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
            "Truststore for https registries; the JVM's default trust when unset.")
        .define(SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Truststore password.")
        .define(SSL_TRUSTSTORE_TYPE, Type.STRING, "JKS", Importance.LOW, "Truststore type: JKS or PKCS12.")
        .define(SSL_KEYSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
            "Keystore with the client certificate for mutual TLS; no client certificate when unset.")
        .define(SSL_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Keystore password.")
        .define(SSL_KEYSTORE_TYPE, Type.STRING, "JKS", Importance.LOW, "Keystore type: JKS or PKCS12.")
        .define(SSL_KEY_PASSWORD, Type.PASSWORD, null, Importance.LOW,
            "Password of the private key; the keystore password when unset.")
        .define(SSL_PROTOCOL, Type.STRING, "TLS", Importance.LOW, "SSLContext protocol, e.g. TLSv1.3.");
  }

  private static List<URI> parseUrls(List<String> raw) {
    List<URI> out = new ArrayList<>();
    for (String s : raw) {
      try {
        URI uri = new URI(s.trim());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
          throw new ConfigException(URL, s, "must be an http:// or https:// URL, or mock://NAME");
        }
        out.add(uri);
      } catch (URISyntaxException e) {
        throw new ConfigException(URL, s, "not a URL: " + e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  /** The registry URLs in failover order, as given (user info included); empty for {@code mock://}. */
  public List<URI> urls() {
    return urls;
  }

  /** The NAME of {@code mock://NAME}, or null for a real registry. */
  public String mockScope() {
    return mockScope;
  }

  public CredentialsSource credentialsSource() {
    return CredentialsSource.valueOf(getString(BASIC_AUTH_CREDENTIALS_SOURCE).toUpperCase(Locale.ROOT));
  }

  /** {@code user:password} of {@link #BASIC_AUTH_USER_INFO}, or null. */
  public String userInfo() {
    Password p = getPassword(BASIC_AUTH_USER_INFO);
    return p == null ? null : p.value();
  }

  public Duration connectTimeout() {
    return Duration.ofMillis(getInt(CONNECT_TIMEOUT_MS));
  }

  public Duration requestTimeout() {
    return Duration.ofMillis(getInt(READ_TIMEOUT_MS));
  }

  public int maxRetries() {
    return getInt(MAX_RETRIES);
  }

  public Duration retryWait() {
    return Duration.ofMillis(getInt(RETRIES_WAIT_MS));
  }

  public Duration retryMaxWait() {
    return Duration.ofMillis(getInt(RETRIES_MAX_WAIT_MS));
  }

  /** A password-typed value, or null when unset. */
  String password(String key) {
    Password p = getPassword(key);
    return p == null ? null : p.value();
  }
}
