package io.agentauditor.policy;

import java.util.List;

/**
 * Examples of text each default pattern fires on, and a near miss it must not fire on: shared by
 * the tests of the plain patterns and of the engine's keyword-screened matcher.
 */
public final class DefaultPatternExamples {

  /** {@code positive} contains a match of pattern {@code id}; {@code nearMiss} does not. */
  public record Example(String id, String positive, String nearMiss) {}

  private DefaultPatternExamples() {}

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

  private static final String AZURE_SAS_JSON_HEAD =
      "{\"data\": {\"azurerm_storage_account_sas\": {\"example\": {\n"
          + "    \"connection_string\": \"${azurerm_storage_account.example.primary_connection_string}\",\n"
          + "    \"start\": \"2026-11-26T00:00:00Z\",\n";
  private static final String AZURE_SAS_JSON_TAIL =
      "    \"services\": {\"blob\": true, \"queue\": false},\n"
          + "    \"permissions\": {\"read\": true}\n"
          + "}}}}\n";

  /** Every example, grouped by pattern (the first examples in the order of the bundle's patterns). */
  public static List<Example> all() {
    return List.of(
        // id, fires on, does not fire on
        new Example(
            "aws-access-key-id",
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "aws_access_key_id = AKIAIOSFODNN7EXAMPL"), // AKIA + 15
        new Example("aws-access-key-id", "ASIAY34FZKBOKMUTVV7A", "AKIAiosfodnn7example"),
        new Example(
            "github-classic-token",
            "token ghp_" + "a1B2".repeat(9),
            "token ghp_" + "a1B2".repeat(9).substring(1)), // 35 characters
        new Example(
            "github-fine-grained-token",
            "github_pat_11ABCDEFG0123456789_abcd",
            "github_pat_11ABCDEFG0123456789a"), // 21 characters
        new Example("slack-token", "xoxb-1234567890-abcdefghij", "xoxb-12345678"),
        new Example("slack-token", "xoxp-0123456789ABC", "xoxz-0123456789ABC"),
        new Example(
            "private-key",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
            "-----BEGIN PUBLIC KEY-----\nMIIB..."),
        new Example(
            "private-key", "-----BEGIN PRIVATE KEY-----", "-----BEGIN rsa PRIVATE KEY-----"),
        new Example(
            "private-key",
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXz...",
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGXz..."),
        new Example(
            "private-key",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE...",
            "-----BEGIN PGP PRIVATE KEY-BLOCK-----"),
        new Example(
            "jwt",
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4f",
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOi.SflKxwR"), // 7 characters after the second eyJ
        new Example(
            "jwt", // unsigned (alg none): the signature is empty
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJyb290In0.",
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJyb290In0"),
        new Example(
            "terraform-aws-iam-access-key",
            "resource \"aws_iam_access_key\" \"ci\" {\n  user = aws_iam_user.ci.name\n}",
            "resource \"aws_iam_user\" \"ci\" {\n  name = \"ci\"\n}"),
        new Example(
            "terraform-aws-iam-access-key",
            "resource  \"aws_iam_access_key\"  \"ci\"{}",
            "resource \"aws_iam_access_key_rotation\" \"ci\" {}"),
        new Example(
            "terraform-google-service-account-key",
            "resource \"google_service_account_key\" \"deployer\" {\n"
                + "  service_account_id = google_service_account.deployer.name\n}",
            "resource \"google_service_account\" \"deployer\" {\n  account_id = \"deployer\"\n}"),
        new Example(
            "terraform-azurerm-sas-without-expiry",
            AZURE_SAS_HEAD + AZURE_SAS_TAIL,
            AZURE_SAS_HEAD + "  expiry            = \"2026-11-27T00:00:00Z\"\n" + AZURE_SAS_TAIL),
        new Example(
            "terraform-azurerm-sas-without-expiry",
            AZURE_SAS_HEAD
                + "  expiry = \"2026-11-27T00:00:00Z\"\n"
                + AZURE_SAS_TAIL
                + AZURE_SAS_HEAD.replace("\"example\"", "\"forever\"")
                + AZURE_SAS_TAIL,
            AZURE_SAS_HEAD
                .replace("https_only", "signed_expiry = \"x\"\n  https_only")
                .replace("data", "data_x")), // not a block header
        new Example(
            "token-expires-at-null",
            "{\"name\": \"ci\", \"expires_at\": null}",
            "{\"name\": \"ci\", \"expires_at\": \"2026-12-01T00:00:00Z\"}"),
        new Example(
            "token-expires-at-null",
            "token:\n  expires_at: null\n",
            "token:\n  expires_at: nullable\n"),
        new Example(
            "token-expiration-never",
            "{\"scopes\": [\"api\"], \"expiration\": \"never\"}",
            "{\"scopes\": [\"api\"], \"expiration\": \"2026-12-31\"}"),
        new Example("token-expiration-never", "expiration: never", "expiration: nevermore"),
        new Example("token-expiration-never", "token:\n  expiration: 'never'\n", "expiration: 'nevermore'"),
        new Example("token-expires-at-null", "token:\n  'expires_at': null\n", "'expires_at': 'null'"),
        new Example(
            "terraform-azurerm-sas-without-expiry",
            AZURE_SAS_HEAD + "  # expiry = \"2026-11-27T00:00:00Z\"\n" + AZURE_SAS_TAIL,
            "data \"azurerm_storage_account_sas\" \"one_line\" { expiry = \"2026-11-27T00:00:00Z\" }"),
        new Example(
            "terraform-azurerm-sas-without-expiry",
            AZURE_SAS_HEAD
                + "  dynamic \"services\" {\n    for_each = [1]\n    content {\n"
                + "      blob = { enabled = true }\n    }\n  }\n"
                + AZURE_SAS_TAIL,
            AZURE_SAS_HEAD
                + "  dynamic \"services\" {\n    content {\n      blob = { enabled = true }\n    }\n  }\n"
                + "  expiry = \"2026-11-27T00:00:00Z\"\n"
                + AZURE_SAS_TAIL),
        new Example(
            "terraform-aws-iam-access-key",
            "resource aws_iam_access_key ci {\n  user = aws_iam_user.ci.name\n}",
            "{\"type\": \"aws_iam_access_key\", \"name\": \"ci\"}"),
        new Example(
            "terraform-aws-iam-access-key",
            "{\"resource\": {\"aws_iam_access_key\": {\"ci\": {\"user\": \"ci\"}}}}",
            "{\"resource\": {\"aws_iam_access_key_rotation\": {\"ci\": {}}}}"),
        new Example(
            "terraform-google-service-account-key",
            "{\"resource\": {\"google_service_account_key\": {\"k\": {}}}}",
            "{\"google_service_account_key\": \"projects/p/keys/k\"}"),
        new Example(
            "terraform-json-azurerm-sas-without-expiry",
            AZURE_SAS_JSON_HEAD + AZURE_SAS_JSON_TAIL,
            AZURE_SAS_JSON_HEAD + "    \"expiry\": \"2026-11-27T00:00:00Z\",\n" + AZURE_SAS_JSON_TAIL),
        new Example("token-expires-at-null", "token:\n  expires_at: ~\n", "  this.expires_at = null;\n"),
        new Example("token-expires-at-null", "expires_at:\nname: ci\n", "$this->expires_at = null;"),
        new Example("token-expires-at-null", "  expires_at = null\n", "expires_at: null | string;"),
        new Example(
            "token-expiration-never", "{\"expiration\": \"Never\"}", "this.expiration = \"never\";"));
  }
}
