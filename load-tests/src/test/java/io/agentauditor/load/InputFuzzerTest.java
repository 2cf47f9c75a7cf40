package io.agentauditor.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast, seeded version of the fuzzing run (the 1M run is {@link FuzzInputPath}, figures in
 * docs/RELIABILITY.md): 20,000 records derived from valid ones by byte-level and structural
 * mutation, in the Avro and the JSON form, keys too, through the production topology. No record
 * crashes the topology or hides a crash in a dead letter, and every input is exactly one decision
 * or one dead letter. A failure names its records; {@code FuzzInputPath} with the same seed writes
 * them as regression cases.
 */
class InputFuzzerTest {

  private static final long SEED = 16;
  private static final int RECORDS = 20_000;

  @TempDir Path stateDir;

  @Test
  void shouldDecideOrDeadLetterEveryFuzzedRecordExactlyOnceWithoutACrash() {
    // Given the production topology on the default bundle
    try (InputFuzzer fuzzer = new InputFuzzer(Workload.defaultPolicy(), stateDir)) {

      // When 20,000 mutated and valid records go through it
      InputFuzzer.Summary summary = fuzzer.run(SEED, RECORDS);

      // Then nothing crashed and input = decisions + dead letters
      assertThat(summary.failures()).extracting(InputFuzzer.Failure::what).isEmpty();
      assertThat(summary.inputs()).isEqualTo(RECORDS - summary.unproducible());
      assertThat(summary.accountingHolds()).isTrue();
      // and the mutants reached every layer: the Avro decoder, the validation, the key check,
      // the JSON codec, and the engine (decisions beyond the valid quarter)
      assertThat(summary.deadLetterErrors().keySet())
          .anyMatch(k -> k.startsWith("AvroSerializationException"))
          .anyMatch(k -> k.startsWith("InvalidAgentEventException"))
          .anyMatch(k -> k.startsWith("EventKeyMismatchException"))
          .anyMatch(k -> k.startsWith("json: "));
      assertThat(summary.decisions()).isGreaterThan(summary.mutations().get("valid"));
    }
  }

  @Test
  void shouldTakeAJdkExceptionThrownFromOurCodeBehindADeadLetterForACrash() {
    // Given the stack traces of two dead letters: one wraps an NPE thrown in our code, one an
    // exception of Avro's decoder on bad bytes
    String ours = "io.agentauditor.serde.AvroSerializationException: MALFORMED_PAYLOAD\n"
        + "\tat io.agentauditor.serde.AvroSerde.deserialize(AvroSerde.java:206)\n"
        + "Caused by: java.lang.NullPointerException: boom\n"
        + "\tat io.agentauditor.avro.EventMapper.toStep(EventMapper.java:50)\n";
    String avros = "io.agentauditor.serde.AvroSerializationException: MALFORMED_PAYLOAD\n"
        + "\tat io.agentauditor.serde.AvroSerde.deserialize(AvroSerde.java:206)\n"
        + "Caused by: java.lang.ArrayIndexOutOfBoundsException: Index -3\n"
        + "\tat org.apache.avro.io.BinaryDecoder.readEnum(BinaryDecoder.java:300)\n";

    // Then only the first is a crash
    assertThat(InputFuzzer.hidesCrash(ours)).isTrue();
    assertThat(InputFuzzer.hidesCrash(avros)).isFalse();
    assertThat(InputFuzzer.hidesCrash(null)).isFalse();
  }
}
