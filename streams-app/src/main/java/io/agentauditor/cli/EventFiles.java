package io.agentauditor.cli;

import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The input and output files of the commands that decide a file of events ({@code replay},
 * {@code diff}): {@code -} is standard input, no output file is standard output, and neither
 * standard stream is closed by the command.
 */
final class EventFiles {

  /** The input path that names standard input. */
  static final String STDIN = "-";

  private EventFiles() {}

  /** The input: the file, or standard input for {@code -}. */
  static InputStream openInput(Path input) throws IOException {
    if (STDIN.equals(input.toString())) {
      return new FilterInputStream(System.in) {
        @Override
        public void close() {
          // Standard input belongs to the process, not to the command.
        }
      };
    }
    return Files.newInputStream(input);
  }

  /** The output, buffered: the file, or standard output when {@code output} is null. */
  static OutputStream openOutput(Path output) throws IOException {
    if (output == null) {
      return new BufferedOutputStream(new UnclosableStdout(System.out), 1 << 16);
    }
    return new BufferedOutputStream(Files.newOutputStream(output), 1 << 16);
  }

  /** Whether {@code output} names the input file (through any path or link); stdin never is. */
  static boolean sameFile(Path input, Path output) {
    if (output == null || STDIN.equals(input.toString())) {
      return false;
    }
    try {
      return Files.exists(output) && Files.exists(input) && Files.isSameFile(input, output);
    } catch (IOException e) {
      return input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize());
    }
  }

  /** Standard output, flushed but never closed by the command. */
  private static final class UnclosableStdout extends FilterOutputStream {
    UnclosableStdout(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
