package io.agentauditor.load;

import io.agentauditor.avro.EventMapper;
import io.agentauditor.engine.AuditEngine;
import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.engine.InMemoryStateStore;
import io.agentauditor.schema.AgentEvent;
import java.util.Map;
import java.util.TreeMap;

/** Prints the event-type, verdict and rule mix of the generated workload (a sanity check). */
public final class MixReport {

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    AuditEngine engine = new AuditEngine(Workload.defaultPolicy());
    InMemoryStateStore store = new InMemoryStateStore();
    SessionGenerator gen = SessionGenerator.realistic(Workload.SEED);
    Map<String, Integer> types = new TreeMap<>();
    Map<String, Integer> verdicts = new TreeMap<>();
    Map<String, Integer> rules = new TreeMap<>();
    long argBytes = 0;
    int toolCalls = 0;
    for (int i = 0; i < n; i++) {
      AgentEvent e = gen.next();
      Decision d = engine.process(EventMapper.toStep(e), store).decision();
      types.merge(e.getType().name(), 1, Integer::sum);
      verdicts.merge(e.getType() + " " + d.verdict(), 1, Integer::sum);
      for (Finding f : d.findings()) {
        rules.merge(f.ruleId(), 1, Integer::sum);
      }
      if (e.getToolCall() != null) {
        toolCalls++;
        for (String v : e.getToolCall().getArguments().values()) {
          argBytes += v.length();
        }
      }
    }
    System.out.println("events " + n + ", mean argument bytes per tool call " + argBytes / Math.max(1, toolCalls));
    types.forEach((k, v) -> System.out.printf("type    %-28s %8d %5.1f%%%n", k, v, 100.0 * v / n));
    verdicts.forEach((k, v) -> System.out.printf("verdict %-28s %8d %5.1f%%%n", k, v, 100.0 * v / n));
    rules.forEach((k, v) -> System.out.printf("rule    %-28s %8d %5.1f%%%n", k, v, 100.0 * v / n));
  }
}
