package io.agentauditor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each default pattern fires on a positive example and not on a near miss. */
class DefaultPatternsTest {

  private static final Policy POLICY = PolicyBundleLoader.load(TestBundles.defaultBundle());
  private static final Map<String, NamedPattern> BY_ID =
      Stream.concat(POLICY.secretPatterns().stream(), POLICY.codePatterns().stream())
          .collect(Collectors.toMap(NamedPattern::id, Function.identity()));

  private static final String AZURE_SAS_HEAD =
      "data \"azurerm_storage_account_sas\" \"example\" {\n"
          + "  connection_string = azurerm_storage_account.example.primary_connection_string\n"
          + "  https_only        = true\n"
          + "  start             = \"2026-11-26T00:00:00Z\"\n";
  private static final String AZURE_SAS_TAIL =
      "  resource_types {\n"
          + "    service = true\n"
          + "    container = false\n"
          + "    object = false\n"
          + "  }\n"
          + "  services {\n"
          + "    blob = true\n"
          + "    queue = false\n"
          + "    table = false\n"
          + "    file = false\n"
          + "  }\n"
          + "  permissions {\n"
          + "    read = true\n"
          + "    write = true\n"
          + "  }\n"
          + "}\n";

  static Stream<Arguments> examples() {
    return Stream.of(
        // id, fires on, does not fire on
        Arguments.of(
            "aws-access-key-id",
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "aws_access_key_id = AKIAIOSFODNN7EXAMPL"), // AKIA + 15
        Arguments.of("aws-access-key-id", "ASIAY34FZKBOKMUTVV7A", "AKIAiosfodnn7example"),
        Arguments.of(
            "github-classic-token",
            "token ghp_" + "a1B2".repeat(9),
            "token ghp_" + "a1B2".repeat(9).substring(1)), // 35 characters
        Arguments.of(
            "github-fine-grained-token",
            "github_pat_11ABCDEFG0123456789_abcd",
            "github_pat_11ABCDEFG0123456789a"), // 21 characters
        Arguments.of("slack-token", "xoxb-1234567890-abcdefghij", "xoxb-12345678"),
        Arguments.of("slack-token", "xoxp-0123456789ABC", "xoxz-0123456789ABC"),
        Arguments.of(
            "private-key",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
            "-----BEGIN PUBLIC KEY-----\nMIIB..."),
        Arguments.of(
            "private-key", "-----BEGIN PRIVATE KEY-----", "-----BEGIN rsa PRIVATE KEY-----"),
        Arguments.of(
            "jwt",
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4f",
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwR"), // 7-char signature
        Arguments.of(
            "terraform-aws-iam-access-key",
            "resource \"aws_iam_access_key\" \"ci\" {\n  user = aws_iam_user.ci.name\n}",
            "resource \"aws_iam_user\" \"ci\" {\n  name = \"ci\"\n}"),
        Arguments.of(
            "terraform-aws-iam-access-key",
            "resource  \"aws_iam_access_key\"  \"ci\"{}",
            "resource \"aws_iam_access_key_rotation\" \"ci\" {}"),
        Arguments.of(
            "terraform-google-service-account-key",
            "resource \"google_service_account_key\" \"deployer\" {\n"
                + "  service_account_id = google_service_account.deployer.name\n}",
            "resource \"google_service_account\" \"deployer\" {\n  account_id = \"deployer\"\n}"),
        Arguments.of(
            "terraform-azurerm-sas-without-expiry",
            AZURE_SAS_HEAD + AZURE_SAS_TAIL,
            AZURE_SAS_HEAD + "  expiry            = \"2026-11-27T00:00:00Z\"\n" + AZURE_SAS_TAIL),
        Arguments.of(
            "terraform-azurerm-sas-without-expiry",
            AZURE_SAS_HEAD
                + "  expiry = \"2026-11-27T00:00:00Z\"\n"
                + AZURE_SAS_TAIL
                + AZURE_SAS_HEAD.replace("\"example\"", "\"forever\"")
                + AZURE_SAS_TAIL,
            AZURE_SAS_HEAD
                .replace("https_only", "signed_expiry = \"x\"\n  https_only")
                .replace("data", "data_x")), // not a block header
        Arguments.of(
            "token-expires-at-null",
            "{\"name\": \"ci\", \"expires_at\": null}",
            "{\"name\": \"ci\", \"expires_at\": \"2026-12-01T00:00:00Z\"}"),
        Arguments.of(
            "token-expires-at-null",
            "token:\n  expires_at: null\n",
            "token:\n  expires_at: nullable\n"),
        Arguments.of(
            "token-expiration-never",
            "{\"scopes\": [\"api\"], \"expiration\": \"never\"}",
            "{\"scopes\": [\"api\"], \"expiration\": \"2026-12-31\"}"),
        Arguments.of("token-expiration-never", "expiration: never", "expiration: nevermore"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void shouldFireOnTheExampleAndNotOnTheNearMiss(String id, String positive, String nearMiss) {
    NamedPattern p = BY_ID.get(id);
    assertThat(p).as("pattern %s", id).isNotNull();

    assertThat(p.matches(positive)).as("%s on %s", id, positive).isTrue();
    assertThat(p.matches(nearMiss)).as("%s on %s", id, nearMiss).isFalse();
  }

  @Test
  void shouldHaveAnExampleForEveryDefaultPattern() {
    List<String> covered = new ArrayList<>();
    examples().forEach(a -> covered.add((String) a.get()[0]));

    assertThat(covered).containsAll(BY_ID.keySet());
  }
}
