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
}
