package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.NamedPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultCodePatternsTest {

  private static List<String> hits(String text) {
    return Policies.defaultPolicy().codePatterns().stream()
        .filter(p -> p.matches(text))
        .map(NamedPattern::id)
        .toList();
  }

  @Test
  void shouldMatchTerraformKeysThatNeverExpire() {
    assertThat(hits("resource \"aws_iam_access_key\" \"ci\" {\n  user = \"ci\"\n}"))
        .containsExactly("terraform-aws-iam-access-key");
    assertThat(hits("resource  \"google_service_account_key\" \"k\" {}"))
        .containsExactly("terraform-google-service-account-key");
    assertThat(hits("data \"aws_iam_access_key\" \"x\" {}")).isEmpty();
  }

  @Test
  void shouldMatchAnAzureSasBlockOnlyWhenItSetsNoExpiry() {
    String withExpiry =
        "data \"azurerm_storage_account_sas\" \"ex\" {\n"
            + "  connection_string = azurerm_storage_account.ex.primary_connection_string\n"
            + "  https_only        = true\n"
            + "  start             = \"2026-01-01T00:00:00Z\"\n"
            + "  expiry            = \"2026-01-02T00:00:00Z\"\n"
            + "  services {\n    blob = true\n  }\n"
            + "}\n";
    String withoutExpiry = withExpiry.replace("  expiry            = \"2026-01-02T00:00:00Z\"\n", "");
    String followedByOther =
        withoutExpiry + "resource \"azurerm_key_vault_secret\" \"s\" {\n  expiration_date = \"x\"\n  expiry = 1\n}\n";
    String expiryInALaterBlockOnly = withExpiry + "\nresource \"x\" \"y\" {}\n";
    assertThat(hits(withExpiry)).isEmpty();
    assertThat(hits(withoutExpiry)).containsExactly("terraform-azurerm-sas-without-expiry");
    assertThat(hits(followedByOther)).containsExactly("terraform-azurerm-sas-without-expiry");
    assertThat(hits(expiryInALaterBlockOnly)).isEmpty();
    assertThat(hits("resource \"azurerm_storage_account_sas\" \"t\" {\n  start = \"e\"\n  exp = 1\n  expir = 2\n}\n"))
        .containsExactly("terraform-azurerm-sas-without-expiry");
  }

  @Test
  void shouldMatchTokensCreatedWithoutExpiry() {
    assertThat(hits("token:\n  name: deploy\n  expires_at: null\n")).containsExactly("token-expires-at-null");
    assertThat(hits("{\"name\":\"x\",\"expires_at\": null}")).containsExactly("token-expires-at-null");
    assertThat(hits("{\"expiration\": \"never\"}")).containsExactly("token-expiration-never");
    assertThat(hits("expires_at: 2026-12-01\n{\"expiration\": \"2026-12-01\"}")).isEmpty();
  }

  @Test
  void shouldMatchTerraformKeysWithUnquotedLabels() {
    // Given HCL block labels written as identifiers, which HCL accepts as well as strings
    assertThat(hits("resource aws_iam_access_key ci {\n  user = aws_iam_user.ci.name\n}"))
        .containsExactly("terraform-aws-iam-access-key");
    assertThat(hits("resource google_service_account_key \"k\" {}"))
        .containsExactly("terraform-google-service-account-key");
    assertThat(hits("data azurerm_storage_account_sas s {\n  start = \"x\"\n}\n"))
        .containsExactly("terraform-azurerm-sas-without-expiry");
    assertThat(hits("data azurerm_storage_account_sas s {\n  expiry = \"x\"\n}\n")).isEmpty();
    assertThat(hits("resource aws_iam_access_key_rotation ci {}")).isEmpty();
  }

  @Test
  void shouldMatchTerraformKeysInJsonSyntax() {
    // Given .tf.json files, where the resource type is a key
    assertThat(hits("{\"resource\": {\"aws_iam_access_key\": {\"ci\": {\"user\": \"ci\"}}}}"))
        .containsExactly("terraform-aws-iam-access-key");
    assertThat(hits("{\"resource\":{\"google_service_account_key\":[{\"k\":{}}]}}"))
        .containsExactly("terraform-google-service-account-key");
    String sas =
        "{\"data\": {\"azurerm_storage_account_sas\": {\"s\": {\n"
            + "  \"connection_string\": \"x\",\n  \"start\": \"2026-01-01\",\n"
            + "  \"services\": {\"blob\": true}\n}}}}";
    assertThat(hits(sas)).containsExactly("terraform-json-azurerm-sas-without-expiry");
    assertThat(hits(sas.replace("\"start\"", "\"expiry\": \"2026-01-02\",\n  \"start\""))).isEmpty();
    // A state or plan file names the type as a value, not as a key
    assertThat(hits("{\"type\": \"aws_iam_access_key\", \"name\": \"ci\"}")).isEmpty();
  }

  @Test
  void shouldMatchEveryYamlSpellingOfANullExpiry() {
    assertThat(hits("token:\n  expires_at: ~\n")).containsExactly("token-expires-at-null");
    assertThat(hits("token:\n  expires_at: NULL\n")).containsExactly("token-expires-at-null");
    assertThat(hits("token:\n  expires_at: Null # forever\n")).containsExactly("token-expires-at-null");
    assertThat(hits("token:\n  expires_at:\n  name: ci\n")).containsExactly("token-expires-at-null");
    assertThat(hits("token:\n  expires_at:   # forever\n")).containsExactly("token-expires-at-null");
    assertThat(hits("token: {expires_at: , name: ci}")).containsExactly("token-expires-at-null");
    assertThat(hits("token:\r\n  expires_at:\r\n")).containsExactly("token-expires-at-null");
  }

  @Test
  void shouldMatchNeverInAnyCase() {
    assertThat(hits("{\"expiration\": \"Never\"}")).containsExactly("token-expiration-never");
    assertThat(hits("expiration: NEVER\n")).containsExactly("token-expiration-never");
    assertThat(hits("expiration = \"never\"\n")).containsExactly("token-expiration-never");
  }

  @Test
  void shouldNotMatchAssignmentsInJavaScriptOrPhp() {
    assertThat(hits("  this.expires_at = null;\n")).isEmpty();
    assertThat(hits("$this->expires_at = null;")).isEmpty();
    assertThat(hits("$expires_at = null;")).isEmpty();
    assertThat(hits("let expires_at = null\n")).isEmpty();
    assertThat(hits("expires_at = null;\n")).isEmpty();
    assertThat(hits("if (token.expires_at == null) {}")).isEmpty();
    assertThat(hits("this.expiration = 'never';")).isEmpty();
    // A TypeScript type is not a value
    assertThat(hits("interface Token { expires_at: null | string; }")).isEmpty();
  }

  @Test
  void shouldStillMatchTheHclAttributeAndPayloadObjectsInCode() {
    assertThat(hits("resource \"gitlab_personal_access_token\" \"t\" {\n  expires_at = null\n}"))
        .containsExactly("token-expires-at-null");
    assertThat(hits("token { expires_at = null }")).containsExactly("token-expires-at-null");
    assertThat(hits("await api.post('/tokens', {\n  name: 'ci',\n  expires_at: null,\n});"))
        .containsExactly("token-expires-at-null");
    assertThat(hits("{\"expires_at\":null,\"name\":\"ci\"}")).containsExactly("token-expires-at-null");
  }

  @Test
  void shouldNotMatchValuesThatOnlyStartLikeNull() {
    assertThat(hits("expires_at: nullable\nexpires_at: ~/x\nexpiration: never-ending\n")).isEmpty();
    assertThat(hits("\"expires_at\": \"2026-01-01\"\n\"expiration\": \"Nevermore\"")).isEmpty();
  }
}
