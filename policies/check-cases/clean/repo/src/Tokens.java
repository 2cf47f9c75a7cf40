/** Reads tokens from the environment; none is written here. */
final class Tokens {
  static String github() {
    return System.getenv("GITHUB_TOKEN"); // ghp_ tokens live in the secrets manager
  }

  static boolean looksLikeAwsKey(String s) {
    return s.startsWith("AKIA") && s.length() == 20;
  }
}
