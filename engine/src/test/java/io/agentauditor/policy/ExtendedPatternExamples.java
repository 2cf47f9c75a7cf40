package io.agentauditor.policy;

import java.util.List;
import java.util.Map;

/**
 * Examples of text each pattern of {@code extras/patterns-extended.yaml} fires on, each with a near
 * miss it must not fire on (one character short, or a wrong prefix): shared by the tests of the
 * plain patterns, of the engine's keyword-screened matcher and of the engine itself.
 *
 * <p>Secrets are built from fragments ({@link #alnum}, {@link #base64}) so that no string that
 * looks like a live credential sits verbatim in the repository, where secret scanners would flag it.
 */
public final class ExtendedPatternExamples {

  /** {@code positive} contains a match of pattern {@code id}; {@code nearMiss} does not. */
  public record Example(String id, String positive, String nearMiss) {}

  /** The ids of {@code extras/patterns-extended.yaml}, in file order. */
  public static final List<String> IDS =
      List.of(
          "gitlab-personal-access-token",
          "github-oauth-or-app-token",
          "google-api-key",
          "stripe-secret-key",
          "slack-webhook",
          "npm-access-token",
          "openai-api-key",
          "anthropic-api-key",
          "azure-storage-connection-string",
          "basic-auth-in-url");

  /**
   * Pattern id to its regex as it was before keywords were added, where the file now spells a character
   * class out as an alternation so that each keyword occurs verbatim: the two must match alike.
   */
  public static final Map<String, String> REGEX_BEFORE_REWRITE =
      Map.of(
          "github-oauth-or-app-token", "gh[ousr]_[A-Za-z0-9]{36}",
          "stripe-secret-key", "(sk|rk)_live_[0-9A-Za-z]{24,}");

  private static final String ALNUM = "x7Kq2Lm9Vp4Rt8Wz3Nc6Hd1Fb5Gs0JyQeUaYo";
  private static final String BASE64 = ALNUM + "+/";
  private static final String UPPER = "T0A1B2C3D4E5F6G7H8J9K";

  private ExtendedPatternExamples() {}

  /** {@code n} letters and digits, cycling through a fixed alphabet from {@code offset}. */
  public static String alnum(int n, int offset) {
    return cycle(ALNUM, n, offset);
  }

  /** {@code n} letters and digits. */
  public static String alnum(int n) {
    return alnum(n, 0);
  }

  /** {@code n} characters of the base64 alphabet, {@code +} and {@code /} included. */
  public static String base64(int n) {
    return cycle(BASE64, n, 3);
  }

  private static String upper(int n) {
    return cycle(UPPER, n, 0);
  }

  private static String cycle(String alphabet, int n, int offset) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt((offset + i) % alphabet.length()));
    }
    return sb.toString();
  }

  private static String slackHook(String scheme, String team, String secret) {
    return scheme + "://hooks.slack.com/services/" + team + "/B0" + upper(9) + "/" + secret;
  }

  private static String azure(String key) {
    return "DefaultEndpointsProtocol=https;AccountName=acmestore;" + key
        + ";EndpointSuffix=core.windows.net";
  }

  /** Every example, in the order of the file's patterns; at least two per pattern. */
  public static List<Example> all() {
    String glpat = "glpat-";
    String openAiMark = "T3Blbk" + "FJ";
    String ant = "sk-" + "ant-";
    return List.of(
        // id, fires on, does not fire on
        new Example(
            "gitlab-personal-access-token",
            "GITLAB_TOKEN=" + glpat + alnum(20),
            "GITLAB_TOKEN=" + glpat + alnum(19)), // 19 characters
        new Example(
            "gitlab-personal-access-token",
            "PRIVATE-TOKEN: " + glpat + alnum(10) + "_-" + alnum(14, 5),
            "PRIVATE-TOKEN: glpta-" + alnum(26)), // wrong prefix
        new Example(
            "github-oauth-or-app-token",
            "Authorization: token gho_" + alnum(36),
            "Authorization: token gho_" + alnum(35)), // 35 characters
        new Example(
            "github-oauth-or-app-token",
            "GITHUB_TOKEN=ghs_" + alnum(36, 7),
            "GITHUB_TOKEN=gha_" + alnum(36, 7)), // no such token kind
        new Example("github-oauth-or-app-token", "ghu_" + alnum(36, 11), "Ghu_" + alnum(36, 11)),
        new Example("github-oauth-or-app-token", "refresh=ghr_" + alnum(40), "refresh=ghr-" + alnum(40)),
        new Example(
            "google-api-key",
            "https://maps.googleapis.com/maps/api/geocode/json?key=AIzaSy" + alnum(31) + "-_",
            "https://maps.googleapis.com/maps/api/geocode/json?key=AIzaSy" + alnum(30) + "-_"),
        new Example(
            "google-api-key",
            "GOOGLE_API_KEY=\"AIza" + alnum(35, 2) + "\"",
            "GOOGLE_API_KEY=\"AIZa" + alnum(35, 2) + "\""), // wrong case in the prefix
        new Example(
            "stripe-secret-key",
            "STRIPE_SECRET_KEY=sk_live_" + alnum(24),
            "STRIPE_SECRET_KEY=sk_live_" + alnum(23)),
        new Example(
            "stripe-secret-key",
            "stripe.api_key = \"rk_live_" + alnum(99, 4) + "\"",
            "stripe.api_key = \"sk_test_" + alnum(99, 4) + "\""), // a test key
        new Example(
            "stripe-secret-key",
            "Stripe(\"sk_live_" + alnum(32, 9) + "\")",
            "Stripe(\"pk_live_" + alnum(32, 9) + "\")"), // a publishable key
        new Example(
            "slack-webhook",
            "curl -X POST " + slackHook("https", "T0" + upper(8), alnum(24)),
            "curl -X POST " + slackHook("https", "T0" + upper(8), alnum(19))), // 19 characters
        new Example(
            "slack-webhook",
            "webhook_url: " + slackHook("https", "TA1B2C3D4", alnum(32, 3)),
            "webhook_url: " + slackHook("http", "TA1B2C3D4", alnum(32, 3))), // not https
        new Example(
            "slack-webhook",
            slackHook("https", "T" + upper(10), alnum(20, 1)),
            slackHook("https", "t" + upper(10), alnum(20, 1))), // lower-case team marker
        new Example(
            "npm-access-token",
            "//registry.npmjs.org/:_authToken=npm_" + alnum(36),
            "//registry.npmjs.org/:_authToken=npm_" + alnum(35)),
        new Example(
            "npm-access-token",
            "NPM_TOKEN=npm_" + alnum(36, 13),
            "NPM_TOKEN=npn_" + alnum(36, 13)), // wrong prefix
        new Example(
            "openai-api-key",
            "OPENAI_API_KEY=sk-proj-" + alnum(40) + "_-" + alnum(10) + openAiMark + alnum(60, 6),
            "OPENAI_API_KEY=sk-proj-" + alnum(40) + "_-" + alnum(10) + "T3BlbkFj" + alnum(60, 6)),
        new Example(
            "openai-api-key",
            "sk-" + alnum(20) + openAiMark + alnum(20, 8),
            "sk-" + alnum(19) + openAiMark + alnum(20, 8)), // 19 characters before the marker
        new Example(
            "openai-api-key",
            "api_key = 'sk-" + alnum(24, 1) + openAiMark + alnum(24, 2) + "'",
            "api_key = 'sk-" + alnum(24, 1) + openAiMark + alnum(19, 2) + "'"), // 19 after it
        new Example(
            "anthropic-api-key",
            "ANTHROPIC_API_KEY=" + ant + "api03-" + alnum(86) + "-_" + alnum(7, 3) + "AA",
            "ANTHROPIC_API_KEY=" + ant + "api3-" + alnum(86) + "-_" + alnum(7, 3) + "AA"),
        new Example(
            "anthropic-api-key",
            "x-api-key: " + ant + "admin01-" + alnum(80, 5),
            "x-api-key: " + ant + "admin01-" + alnum(79, 5)), // 79 characters
        new Example(
            "anthropic-api-key",
            ant + "api03-" + alnum(95, 1),
            ant + "apx03-" + alnum(95, 1)), // no such key kind
        new Example(
            "azure-storage-connection-string",
            azure("AccountKey=" + base64(86) + "=="),
            azure("AccountKey=" + base64(85) + "==")), // 85 characters
        new Example(
            "azure-storage-connection-string",
            "AZURE_STORAGE_CONNECTION_STRING=\"" + azure("AccountKey=" + alnum(80, 4) + "+/+/a/" + "==") + "\"",
            "AZURE_STORAGE_CONNECTION_STRING=\"" + azure("accountkey=" + alnum(80, 4) + "+/+/a/" + "==") + "\""),
        new Example(
            "basic-auth-in-url",
            "DATABASE_URL=postgres://orders_app:s3cr3t-Pw.9@db.internal:5432/orders",
            "DATABASE_URL=postgres://orders_app@db.internal:5432/orders"), // no password
        new Example(
            "basic-auth-in-url",
            "git clone https://deploy:hunter2@git.acme.io/acme/api.git",
            "git clone https://git.acme.io/acme/api.git"), // no credentials
        new Example(
            "basic-auth-in-url",
            "amqp+ssl://guest:guest@mq.acme.io",
            "amqp+ssl://guest:@mq.acme.io")); // empty password
  }
}
