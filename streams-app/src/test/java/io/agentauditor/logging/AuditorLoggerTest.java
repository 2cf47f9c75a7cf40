package io.agentauditor.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** The auditor's log backend: levels by logger prefix, text and JSON lines on stderr. */
@Isolated("replaces System.err")
class AuditorLoggerTest {

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream stderr;

  @BeforeEach
  void captureStderr() {
    stderr = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(stderr);
  }

  private static LogSettings settings(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return LogSettings.of(p);
  }

  private String stderr() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldWriteOneJsonObjectALineWithTheMessageAndTheError() throws Exception {
    // Given
    AuditorLogger logger =
        new AuditorLogger("io.agentauditor.runtime.AuditorApp", settings(LogSettings.FORMAT, "json"));

    // When
    logger.warn("Policy {} refused: \"{}\"", "p@1", "bad\nbundle", new IllegalStateException("boom"));

    // Then
    String[] lines = stderr().split("\n");
    assertThat(lines).hasSize(1);
    JsonNode json = new ObjectMapper().readTree(lines[0]);
    assertThat(json.path("level").asText()).isEqualTo("WARN");
    assertThat(json.path("logger").asText()).isEqualTo("io.agentauditor.runtime.AuditorApp");
    assertThat(json.path("message").asText()).isEqualTo("Policy p@1 refused: \"bad\nbundle\"");
    assertThat(json.path("error").asText()).isEqualTo("java.lang.IllegalStateException: boom");
    assertThat(json.path("stackTrace").asText()).contains("at io.agentauditor.logging");
    assertThat(json.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(json.path("thread").asText()).isEqualTo(Thread.currentThread().getName());
  }

  @Test
  void shouldWriteTextAsSlf4jSimpleDid() {
    AuditorLogger logger = new AuditorLogger("a.b.C", settings());

    logger.info("started {}", 1);

    assertThat(stderr())
        .matches("\\S+ \\[" + Thread.currentThread().getName() + "] INFO a\\.b\\.C - started 1\\R");
  }

  @Test
  void shouldApplyTheLevelOfTheLongestPrefixThenTheDefault() {
    LogSettings settings =
        settings(
            LogSettings.DEFAULT_LEVEL, "warn",
            LogSettings.LOGGER_PREFIX + "org.apache.kafka", "error",
            LogSettings.LOGGER_PREFIX + "org.apache.kafka.streams.State", "debug");

    assertThat(new AuditorLogger("io.agentauditor.X", settings).isInfoEnabled()).isFalse();
    assertThat(new AuditorLogger("io.agentauditor.X", settings).isWarnEnabled()).isTrue();
    assertThat(new AuditorLogger("org.apache.kafka.clients.NetworkClient", settings).isWarnEnabled())
        .isFalse();
    assertThat(new AuditorLogger("org.apache.kafka.streams.State", settings).isDebugEnabled()).isTrue();
    assertThat(new AuditorLogger("x", settings(LogSettings.DEFAULT_LEVEL, "off")).isErrorEnabled())
        .isFalse();
  }
}
