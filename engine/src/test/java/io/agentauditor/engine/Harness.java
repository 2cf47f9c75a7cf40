package io.agentauditor.engine;

import io.agentauditor.model.Decision;
import io.agentauditor.model.Finding;
import io.agentauditor.policy.Policy;
import io.agentauditor.model.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;

/** An engine on an in-memory store, remembering every result. */
final class Harness {

  final AuditEngine engine;
  final InMemoryStateStore store = new InMemoryStateStore();
  final List<StepResult> results = new ArrayList<>();

  Harness(Policy policy) {
    this.engine = new AuditEngine(policy);
  }

  Harness() {
    this(Policies.defaultPolicy());
  }

  StepResult process(Step event) {
    StepResult r = engine.process(event, store);
    results.add(r);
    return r;
  }

  Decision decide(Step event) {
    return process(event).decision();
  }

  /** Processes every event, returning the last decision. */
  Decision decideAll(Step... events) {
    Decision last = null;
    for (Step e : events) {
      last = decide(e);
    }
    return last;
  }

  /** Whether two store snapshots hold the same keys with the same bytes. */
  static boolean sameEntries(NavigableMap<byte[], byte[]> a, NavigableMap<byte[], byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    var ia = a.entrySet().iterator();
    var ib = b.entrySet().iterator();
    while (ia.hasNext()) {
      var ea = ia.next();
      var eb = ib.next();
      if (!Arrays.equals(ea.getKey(), eb.getKey()) || !Arrays.equals(ea.getValue(), eb.getValue())) {
        return false;
      }
    }
    return true;
  }

  static List<String> ruleIds(Decision d) {
    return d.findings().stream().map(Finding::ruleId).toList();
  }
}
