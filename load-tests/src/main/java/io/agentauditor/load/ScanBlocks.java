package io.agentauditor.load;

import io.agentauditor.engine.ArgumentScanner;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.engine.CachingStateStore;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.engine.StateStore;
import io.agentauditor.model.Limits;
import io.agentauditor.model.Step;
import io.agentauditor.policy.Policy;
import io.agentauditor.policy.PolicyBundleLoader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The worst single events at the input limits for the code patterns with {@code unless} (the
 * azurerm blocks without expiry): a {@code repo.write_file} whose four values of 252 KiB fill a
 * 1 MiB line with blocks that match the pattern but each set {@code expiry} (so every match must be
 * found and checked), the same in Terraform's JSON syntax, a block left open, over and over, or
 * braces at random between block headers.
 * Prints, per shape, the engine's decision (CPU time of the deciding thread, median and max of 10
 * after 10 untimed) and {@link ArgumentScanner#scan} alone (median of 10).
 *
 * <pre>java -cp "load-tests/target/classes:load-tests/target/lib/*" io.agentauditor.load.ScanBlocks policies</pre>
 */
public final class ScanBlocks {

  private ScanBlocks() {}

  /** The shapes: each a unit repeated to fill the values. */
  static Map<String, String> shapes() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("hcl-blocks-with-expiry", "resource \"azurerm_storage_account_sas\" \"s\" {\n  expiry = \"2030-01-01\"\n}\n");
    out.put("json-blocks-with-expiry", "{\"azurerm_storage_account_sas\": {\"s\": {\"expiry\": \"2030\"}}}\n");
    out.put("open-block", "resource \"azurerm_storage_account_sas\" \"s\" {\n");
    out.put("random-braces", randomBraces(new Random(11), 64 * 1024));
    return out;
  }

  /**
   * Braces, quotes and letters at random between frequent block headers: each header starts a
   * match attempt that the braces keep alive at every nesting depth, so the automaton of the
   * scan meets a new state every few characters (it gives up, and re2j searches instead).
   */
  static String randomBraces(Random random, int length) {
    String[] headers = {"resource \"azurerm_storage_account_sas\" \"s\" {", "data azurerm_storage_account_sas x {", "{", "}"};
    String alphabet = "{}\" \nab";
    StringBuilder sb = new StringBuilder(length);
    while (sb.length() < length) {
      if (random.nextInt(4) == 0) {
        sb.append(headers[random.nextInt(headers.length)]);
      } else {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
    }
    sb.setLength(length);
    return sb.toString();
  }

  public static void main(String[] args) {
    Policy policy = PolicyBundleLoader.load(Path.of(args.length > 0 ? args[0] : "policies"));
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    ArgumentScanner scanner = new ArgumentScanner(policy);
    int big = Limits.MAX_ARGUMENT_VALUE_BYTES - 4096;
    for (Map.Entry<String, String> shape : shapes().entrySet()) {
      Map<String, String> arguments = new LinkedHashMap<>();
      arguments.put("repo", "acme/api");
      arguments.put("path", "src/main.tf");
      for (int i = 0; i < 4; i++) {
        arguments.put("a0" + i, shape.getValue().repeat(big / shape.getValue().length()));
      }
      String name = shape.getKey();
      AuditEngine engine = new AuditEngine(policy);
      StateStore store = new CachingStateStore(new InMemoryStateStore());
      engine.process(HostileInputs.lineStart(name), store);
      Step first = HostileInputs.lineStep(name, arguments);
      long[] decide = new long[10];
      long[] scan = new long[10];
      String verdict = null;
      for (int r = -10; r < 10; r++) {
        Step call = new Step.ToolCall("w" + (r + 10), first.sessionId(), "agent:planner",
            first.occurredAtMillis() + 1000 + r, "repo.write_file", arguments, null);
        long t0 = mx.getCurrentThreadCpuTime();
        verdict = engine.process(call, store).decision().verdict().toString();
        long t1 = mx.getCurrentThreadCpuTime();
        scanner.scan(arguments, true, true);
        long t2 = mx.getCurrentThreadCpuTime();
        if (r >= 0) {
          decide[r] = t1 - t0;
          scan[r] = t2 - t1;
        }
      }
      Arrays.sort(decide);
      Arrays.sort(scan);
      System.out.printf(
          "%-26s single event (%s): median %8.3f ms, max %8.3f ms CPU over 10; ArgumentScanner.scan %8.3f ms%n",
          name, verdict, decide[5] / 1e6, decide[9] / 1e6, scan[5] / 1e6);
    }
  }
}
