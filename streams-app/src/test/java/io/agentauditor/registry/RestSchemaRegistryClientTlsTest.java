package io.agentauditor.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code schema.registry.ssl.*}: an https registry that requires a client certificate (test keys in resources/tls). */
class RestSchemaRegistryClientTlsTest {

  private static final String PASSWORD = "changeit";

  private WireMockServer registry;

  @BeforeEach
  void startRegistry() {
    registry = new WireMockServer(wireMockConfig()
        .bindAddress("127.0.0.1")
        .httpDisabled(true)
        .dynamicHttpsPort()
        .keystorePath(tls("registry.p12"))
        .keystoreType("PKCS12")
        .keystorePassword(PASSWORD)
        .keyManagerPassword(PASSWORD)
        .needClientAuth(true)
        .trustStorePath(tls("registry-truststore.p12"))
        .trustStoreType("PKCS12")
        .trustStorePassword(PASSWORD));
    registry.start();
    registry.stubFor(get("/schemas/ids/1").willReturn(okJson("{\"schema\":\"\\\"string\\\"\"}")));
  }

  @AfterEach
  void stopRegistry() {
    registry.stop();
  }

  private Map<String, Object> config() {
    Map<String, Object> config = new HashMap<>();
    config.put(SchemaRegistryClientConfig.URL, "https://127.0.0.1:" + registry.httpsPort());
    config.put(SchemaRegistryClientConfig.MAX_RETRIES, 0);
    config.put(SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION, tls("auditor-truststore.p12"));
    config.put(SchemaRegistryClientConfig.SSL_TRUSTSTORE_PASSWORD, PASSWORD);
    config.put(SchemaRegistryClientConfig.SSL_TRUSTSTORE_TYPE, "PKCS12");
    config.put(SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION, tls("auditor.p12"));
    config.put(SchemaRegistryClientConfig.SSL_KEYSTORE_PASSWORD, PASSWORD);
    config.put(SchemaRegistryClientConfig.SSL_KEYSTORE_TYPE, "PKCS12");
    return config;
  }

  @Test
  void shouldTalkToAnHttpsRegistryWithTheConfiguredTrustAndClientCertificate() {
    // When
    Schema schema = SchemaRegistryClient.create(config()).getById(1);

    // Then
    assertThat(schema.getType()).isEqualTo(Schema.Type.STRING);
  }

  @Test
  void shouldFailWithoutTheClientCertificate() {
    // Given
    Map<String, Object> config = config();
    config.remove(SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION);

    // When / Then
    assertThatThrownBy(() -> SchemaRegistryClient.create(config).getById(1))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.status()).isEqualTo(SchemaRegistryException.NO_RESPONSE));
  }

  @Test
  void shouldNotTrustTheRegistryWithoutTheTruststore() {
    // Given: the JVM's default trust does not know the self-signed registry
    Map<String, Object> config = config();
    config.remove(SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION);

    // When / Then
    assertThatThrownBy(() -> SchemaRegistryClient.create(config).getById(1))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.status()).isEqualTo(SchemaRegistryException.NO_RESPONSE));
  }

  @Test
  void shouldNameTheKeyOfATruststoreThatCannotBeLoaded() {
    // Given
    Map<String, Object> config = config();
    config.put(SchemaRegistryClientConfig.SSL_TRUSTSTORE_PASSWORD, "wrong");

    // When / Then
    assertThatThrownBy(() -> SchemaRegistryClient.create(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION);
  }

  private static String tls(String name) {
    try {
      return Path.of(RestSchemaRegistryClientTlsTest.class.getResource("/tls/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
