package io.agentauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentauditor.policy.TestBundles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./auditor check --diff BASE}: only what the change adds is reported, at its line. */
class CheckDiffTest {

  private static final String OLD_KEY = "AKIA" + "IOSFODNN7EXAMPLE";
  private static final String NEW_KEY = "AKIA" + "Z7QWERTYUIOPASDF";

  @TempDir Path repo;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = AuditorCli.newCommandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  private void git(String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 3];
    command[0] = "git";
    command[1] = "-C";
    command[2] = repo.toString();
    System.arraycopy(args, 0, command, 3, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(output).isZero();
  }

  @Test
  void shouldReportOnlyTheSecretTheChangeAddsAtItsLineInTheFile() throws Exception {
    // Given a committed file with an old key, then a change adding a line with a new key
    git("init", "-q");
    git("config", "user.email", "t@example.com");
    git("config", "user.name", "t");
    Path file = repo.resolve("src/App.java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "class App {\n  String a = \"" + OLD_KEY + "\";\n}\n");
    git("add", ".");
    git("commit", "-q", "-m", "base");
    Files.writeString(
        file, "class App {\n  String a = \"" + OLD_KEY + "\";\n  String b = \"" + NEW_KEY + "\";\n}\n");

    // When only the change since HEAD is checked
    int code =
        run("check", "--policies", TestBundles.defaultBundle().toString(), "--diff", "HEAD", repo.toString());

    // Then only the new key is reported, at line 3 of the file
    assertThat(code).isEqualTo(1);
    assertThat(out.toString().lines().toList())
        .containsExactly(
            repo.resolve("src/App.java").toString().replace('\\', '/')
                + ":3:15: CRITICAL secret-in-arguments aws-access-key-id AKIA\u2026");
  }

  @Test
  void shouldExitTwoWhenTheBaseIsUnknown() throws Exception {
    // Given an empty repository
    git("init", "-q");

    // When
    int code =
        run("check", "--policies", TestBundles.defaultBundle().toString(), "--diff", "no-such-rev", repo.toString());

    // Then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("git diff no-such-rev");
  }
}
