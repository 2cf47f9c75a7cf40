package io.agentauditor.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code .pre-commit-hooks.yaml} with the real {@code pre-commit} (contract
 * section 13): a throwaway repository that uses the hook can't commit a planted secret, and commits
 * a clean change. The hook repository pre-commit clones is made of this working tree's hook
 * definition, launcher and default bundle; the launcher runs the jar this module just packaged
 * ({@code AUDITOR_JAR}) instead of building one in pre-commit's clone. Skipped when {@code
 * pre-commit} is not installed ({@code .ci/run} installs it).
 */
class PreCommitHookIT {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final long TIMEOUT_SECONDS = 300;

  @TempDir Path tmp;
  private Path hooks;
  private Path repo;
  private Map<String, String> env;

  @BeforeEach
  void makeTheHookRepositoryAndAConsumer() throws IOException {
    assumeTrue(onPath("pre-commit"), "pre-commit is not installed");
    env =
        Map.of(
            "PRE_COMMIT_HOME", tmp.resolve("pre-commit-home").toString(),
            "AUDITOR_JAR", packagedJar().toString(),
            "GIT_CONFIG_GLOBAL", "/dev/null",
            "GIT_CONFIG_NOSYSTEM", "1");
    hooks = tmp.resolve("hooks");
    copy(ROOT.resolve(".pre-commit-hooks.yaml"), hooks.resolve(".pre-commit-hooks.yaml"));
    copy(ROOT.resolve("auditor"), hooks.resolve("auditor"));
    copyTree(ROOT.resolve("policies"), hooks.resolve("policies"));
    gitInit(hooks);
    git(hooks, "add", ".");
    git(hooks, "commit", "-q", "-m", "hooks");
    String rev = git(hooks, "rev-parse", "HEAD").strip();

    repo = tmp.resolve("consumer");
    gitInit(repo);
    Files.writeString(
        repo.resolve(".pre-commit-config.yaml"),
        "repos:\n"
            + "  - repo: " + hooks + "\n"
            + "    rev: " + rev + "\n"
            + "    hooks:\n"
            + "      - id: agent-auditor-check\n");
    run(repo, List.of("pre-commit", "install"), 0);
  }

  @Test
  void shouldStopACommitWithAPlantedSecretAndLetACleanOneThrough() throws IOException {
    // Given a clean change
    Files.writeString(repo.resolve("App.java"), "class App { String region = \"eu-west-1\"; }\n");
    git(repo, "add", ".");

    // When committed, then the hook passes and the commit is made
    String clean = run(repo, List.of("git", "commit", "-m", "clean"), 0);
    assertThat(clean).contains("agent-auditor check").contains("Passed");
    assertThat(git(repo, "log", "--oneline")).contains("clean");

    // Given a change that plants a key in a .env file and a never-expiring key in Terraform
    Files.writeString(repo.resolve(".env"), "AWS_ACCESS_KEY_ID=" + "AKIA" + "IOSFODNN7EXAMPLE\n");
    Files.writeString(repo.resolve("main.tf"), "resource \"aws_iam_access_key\" \"ci\" {\n  user = \"ci\"\n}\n");
    git(repo, "add", ".");

    // When committed, then the hook fails with each finding and no commit is made
    String blocked = run(repo, List.of("git", "commit", "-m", "leak"), 1);
    assertThat(blocked)
        .contains("Failed")
        .contains(".env:1:19: HIGH insecure-secret-storage aws-access-key-id AKIA\u2026")
        .contains("main.tf:1:1: HIGH long-lived-secret-in-code terraform-aws-iam-access-key reso\u2026")
        .doesNotContain("IOSFODNN7EXAMPLE");
    assertThat(git(repo, "log", "--oneline")).doesNotContain("leak");
  }

  private static Path packagedJar() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().matches("agent-auditor-demo-.*\\.jar"))
          .filter(p -> !p.getFileName().toString().matches(".*-(tests|sources)\\.jar"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no packaged jar in target/: run mvn verify"))
          .toAbsolutePath();
    }
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    return path != null
        && Stream.of(path.split(java.io.File.pathSeparator))
            .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
  }

  private void gitInit(Path dir) throws IOException {
    Files.createDirectories(dir);
    git(dir, "init", "-q", "-b", "main");
    git(dir, "config", "user.email", "dev@example.invalid");
    git(dir, "config", "user.name", "dev");
  }

  private String git(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    return run(dir, command, 0);
  }

  /** Runs {@code command} in {@code dir}; its output (stdout and stderr), checked for {@code exit}. */
  private String run(Path dir, List<String> command, int exit) {
    try {
      Path output = Files.createTempFile(tmp, "out", ".txt");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not finish in " + TIMEOUT_SECONDS + " s");
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as("exit of %s; output:%n%s", command, text).isEqualTo(exit);
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    Files.copy(from, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
