#!/usr/bin/env bash
# The fault-injection run (load-tests/src/main/java/io/agentauditor/load/faults/FaultInjection.java):
# 3 broker processes, 3 `auditor run` processes, generated sessions, a seeded schedule of kill -9 and
# broker bounces, then the verifier. Arguments are passed on, e.g.
#   load-tests/fault-injection.sh events=200000 rate=500 auditorKills=20 brokerBounces=3 seed=16
# Exit code 1 on any lost, duplicated or mismatched decision, violation or final credential ledger entry.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls load-tests/target/agent-auditor-load-tests-*.jar > /dev/null 2>&1; then
  ./mvnw -B -q -DskipTests package -pl load-tests -am
fi
jar="$(ls load-tests/target/agent-auditor-load-tests-*.jar | grep -v -e '-tests.jar' | head -n 1)"
exec java -Xmx1g -cp "$jar:load-tests/target/lib/*" io.agentauditor.load.faults.FaultInjection "$@"
