package io.agentauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link InMemoryStateStore} behaves as a sorted map of unsigned byte keys: after any mix of puts
 * and deletes of the engine's keys and of arbitrary bytes, every get, every range (the engine's own,
 * a session's records of a kind or an index from its start, and arbitrary bounds) and the snapshot
 * equal those of a {@link TreeMap}.
 */
class InMemoryStateStorePropertyTest {

  private static final List<String> SESSIONS = List.of("", "s", "s1", "s10", "s1\u00e9", "\u4e2d");
  private static final List<String> IDS = List.of("", "a", "a1", "agent:b", "e9", "\u00ff");

  /** The engine's keys over a few sessions and ids, so they collide and share prefixes. */
  @Provide
  Arbitrary<byte[]> stateKeys() {
    Arbitrary<byte[]> child =
        Combinators.combine(
                Arbitraries.of(StateKeys.AGENT, StateKeys.CREDENTIAL, StateKeys.FAN_OUT, StateKeys.DEDUPE),
                Arbitraries.of(SESSIONS),
                Arbitraries.of(IDS))
            .as(StateKeys::child);
    Arbitrary<byte[]> single =
        Combinators.combine(
                Arbitraries.of(StateKeys.SESSION, StateKeys.APPROVALS, StateKeys.TIMER), Arbitraries.of(SESSIONS))
            .as(StateKeys::sessionPrefix);
    Arbitrary<byte[]> index =
        Combinators.combine(
                Arbitraries.of(StateKeys.TIMER_INDEX, StateKeys.CLOSED_INDEX),
                Arbitraries.longs().between(-3, 3),
                Arbitraries.of(SESSIONS))
            .as(StateKeys::timeIndex);
    Arbitrary<byte[]> junk = Arbitraries.bytes().array(byte[].class).ofMaxSize(5);
    return Arbitraries.frequencyOf(
        Tuple.of(4, child),
        Tuple.of(2, single),
        Tuple.of(2, index),
        Tuple.of(1, junk),
        Tuple.of(1, Arbitraries.just(StateKeys.STREAM_TIME)));
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op =
        Combinators.combine(Arbitraries.integers().between(0, 3), stateKeys(), Arbitraries.bytes())
            .as((what, key, value) -> new Op(what == 0, key, new byte[] {value}));
    return op.list().ofMaxSize(60);
  }

  /** Many puts and deletes within one session's dedupe keys, so deleted keys pile up and are added again. */
  @Provide
  Arbitrary<List<Op>> oneGroupOps() {
    Arbitrary<byte[]> key =
        Arbitraries.integers().between(0, 24).map(i -> StateKeys.child(StateKeys.DEDUPE, "s1", "e" + i));
    Arbitrary<Op> op =
        Combinators.combine(Arbitraries.integers().between(0, 2), key, Arbitraries.bytes())
            .as((what, k, value) -> new Op(what == 0, k, new byte[] {value}));
    return op.list().ofMaxSize(300);
  }

  @Property(tries = 200)
  void shouldListOneSessionsKeysInOrderHoweverOftenTheyAreDeletedAndAddedAgain(@ForAll("oneGroupOps") List<Op> ops) {
    // Given
    InMemoryStateStore store = new InMemoryStateStore();
    NavigableMap<byte[], byte[]> reference = new TreeMap<>(Arrays::compareUnsigned);
    byte[] group = StateKeys.sessionPrefix(StateKeys.DEDUPE, "s1");
    byte[] end = StateKeys.prefixEnd(group);
    for (Op op : ops) {
      // When
      op.applyTo(store, reference);
      // Then
      assertThat(rangeOf(store, group, end)).containsExactlyElementsOf(entries(reference.subMap(group, true, end, false)));
    }
  }

  /** Bounds: the engine's (a key's group, a kind's start), prefixes of keys, and arbitrary bytes. */
  @Provide
  Arbitrary<byte[]> bounds() {
    Arbitrary<byte[]> group = stateKeys().map(InMemoryStateStore::groupOf);
    Arbitrary<byte[]> kind = Arbitraries.bytes().between((byte) 0, (byte) 12).map(StateKeys::kindStart);
    Arbitrary<byte[]> cut =
        Combinators.combine(stateKeys(), Arbitraries.integers().between(0, 12))
            .as((k, n) -> Arrays.copyOf(k, Math.min(n, k.length)));
    return Arbitraries.oneOf(group, kind, cut, Arbitraries.bytes().array(byte[].class).ofMaxSize(4));
  }

  /**
   * Thousands of puts and deletes over a few thousand keys: the hash table grows past its first
   * size several times and reuses the slots of deleted keys.
   */
  @Provide
  Arbitrary<List<Op>> manyOps() {
    Arbitrary<byte[]> key =
        Arbitraries.integers()
            .between(0, 3000)
            .map(i -> i % 3 == 0 ? StateKeys.decision(1 + i % 7, i) : StateKeys.child(StateKeys.DEDUPE, "s" + i % 5, "e" + i));
    Arbitrary<Op> op =
        Combinators.combine(Arbitraries.integers().between(0, 2), key, Arbitraries.bytes())
            .as((what, k, value) -> new Op(what == 0, k, new byte[] {value}));
    return op.list().ofMinSize(2000).ofMaxSize(8000);
  }

  @Property(tries = 20)
  void shouldAnswerEveryGetAsAMapWhileTheTableGrowsAndReusesSlots(@ForAll("manyOps") List<Op> ops) {
    // Given
    InMemoryStateStore store = new InMemoryStateStore();
    NavigableMap<byte[], byte[]> reference = new TreeMap<>(Arrays::compareUnsigned);
    // When
    for (Op op : ops) {
      op.applyTo(store, reference);
    }
    // Then
    for (Op op : ops) {
      assertThat(store.get(op.key)).isEqualTo(reference.get(op.key));
    }
    assertThat(store.size()).isEqualTo(reference.size());
    assertThat(Harness.sameEntries(store.snapshot(), reference)).isTrue();
    byte[] group = StateKeys.sessionPrefix(StateKeys.DEDUPE, "s1");
    byte[] end = StateKeys.prefixEnd(group);
    assertThat(rangeOf(store, group, end)).containsExactlyElementsOf(entries(reference.subMap(group, true, end, false)));
  }

  @Property(tries = 400)
  void shouldAnswerEveryReadAsASortedMap(
      @ForAll("ops") List<Op> ops, @ForAll("bounds") byte[] from, @ForAll("bounds") byte[] to, @ForAll boolean toPrefixEnd) {
    // Given
    InMemoryStateStore store = new InMemoryStateStore();
    NavigableMap<byte[], byte[]> reference = new TreeMap<>(Arrays::compareUnsigned);
    // When
    for (Op op : ops) {
      op.applyTo(store, reference);
    }
    // Then
    for (Op op : ops) {
      assertThat(store.get(op.key)).isEqualTo(reference.get(op.key));
    }
    assertThat(store.size()).isEqualTo(reference.size());
    assertThat(Harness.sameEntries(store.snapshot(), reference)).isTrue();
    byte[] upper = toPrefixEnd && hasUpperBound(from) ? StateKeys.prefixEnd(from) : to;
    if (Arrays.compareUnsigned(from, upper) <= 0) {
      assertThat(rangeOf(store, from, upper)).containsExactlyElementsOf(entries(reference.subMap(from, true, upper, false)));
    }
    for (byte[] group : groupsOf(ops)) {
      if (hasUpperBound(group)) {
        byte[] end = StateKeys.prefixEnd(group);
        assertThat(rangeOf(store, group, end)).containsExactlyElementsOf(entries(reference.subMap(group, true, end, false)));
      }
    }
  }

  private static boolean hasUpperBound(byte[] prefix) {
    for (byte b : prefix) {
      if (b != (byte) 0xFF) {
        return true;
      }
    }
    return false;
  }

  private static List<byte[]> groupsOf(List<Op> ops) {
    List<byte[]> out = new ArrayList<>();
    for (Op op : ops) {
      out.add(InMemoryStateStore.groupOf(op.key));
      if (op.key.length > 0) {
        out.add(StateKeys.kindStart(op.key[0]));
      }
    }
    return out;
  }

  private static List<String> rangeOf(StateStore store, byte[] from, byte[] to) {
    List<String> out = new ArrayList<>();
    try (StateStore.RangeIterator it = store.range(from, to)) {
      while (it.hasNext()) {
        Map.Entry<byte[], byte[]> e = it.next();
        out.add(Arrays.toString(e.getKey()) + "=" + Arrays.toString(e.getValue()));
      }
    }
    return out;
  }

  private static List<String> entries(Map<byte[], byte[]> m) {
    List<String> out = new ArrayList<>();
    m.forEach((k, v) -> out.add(Arrays.toString(k) + "=" + Arrays.toString(v)));
    return out;
  }

  record Op(boolean delete, byte[] key, byte[] value) {
    void applyTo(StateStore store, Map<byte[], byte[]> reference) {
      if (delete) {
        store.delete(key);
        reference.remove(key);
      } else {
        store.put(key, value);
        reference.put(key.clone(), value);
      }
    }

    @Override
    public String toString() {
      return (delete ? "delete " : "put ") + Arrays.toString(key);
    }
  }
}
