package io.agentauditor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The write-back layer over a real RocksDB store behaves as one sorted map: random puts, deletes,
 * reads, ranges (forward and reverse, bounded or open) and commits give what a {@code TreeMap} of
 * the same writes gives, a range writes nothing down, and at every commit the store below holds
 * exactly the model's contents.
 */
class WriteBackStorePropertyTest {

  /**
   * Keys that order differently signed and unsigned, and prefixes of one another, so ranges meet
   * held and written-down keys at their edges.
   */
  private static final byte[][] KEYS = {
    {0}, {0, 0}, {1}, {1, (byte) 0x80}, {0x7f}, {(byte) 0x80}, {(byte) 0x80, 0}, {(byte) 0xff},
    {(byte) 0xff, (byte) 0xff}, {2}, {2, 1}, {2, (byte) 0xfe}
  };

  private enum Kind {
    PUT,
    DELETE,
    GET,
    RANGE,
    REVERSE_RANGE,
    ALL,
    REVERSE_ALL,
    COMMIT
  }

  /** One call: {@code key} and {@code other} index {@link #KEYS}, -1 is an open bound. */
  record Op(Kind kind, int key, int other, byte value) {}

  @Property(tries = 100)
  void shouldReadAsASortedMapOfTheSameWritesAndWriteDownOnlyAtCommitOrBound(
      @ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 12) int maxHeld) {
    Path dir = tempDir();
    KeyValueStore<Bytes, byte[]> rocks = TestRocksStores.bare();
    WriteBackStore store = new WriteBackStore(rocks, maxHeld);
    TestRocksStores.init(store, dir);
    try {
      NavigableMap<Bytes, byte[]> model = new TreeMap<>();
      for (Op op : ops) {
        apply(op, store, rocks, model);
      }
      store.flushCache();
      assertThat(contents(rocks.all())).isEqualTo(contents(model));
    } finally {
      store.close();
      delete(dir);
    }
  }

  private static void apply(
      Op op, WriteBackStore store, KeyValueStore<Bytes, byte[]> rocks, NavigableMap<Bytes, byte[]> model) {
    Bytes key = op.key() < 0 ? null : Bytes.wrap(KEYS[op.key()].clone());
    Bytes other = op.other() < 0 ? null : Bytes.wrap(KEYS[op.other()].clone());
    long writtenDown = store.writtenDown();
    switch (op.kind()) {
      case PUT -> {
        byte[] value = op.value() == 0 ? new byte[0] : new byte[] {op.value()};
        store.put(key, value);
        model.put(key, value);
      }
      case DELETE -> assertThat(store.delete(key)).isEqualTo(model.remove(key));
      case GET -> assertThat(store.get(key)).as("get %s", key).isEqualTo(model.get(key));
      case RANGE -> {
        assertThat(contents(store.range(key, other)))
            .as("range %s..%s", key, other)
            .isEqualTo(contents(bounded(model, key, other)));
        assertThat(store.writtenDown()).isEqualTo(writtenDown);
      }
      case REVERSE_RANGE -> {
        assertThat(contents(store.reverseRange(key, other)))
            .as("reverse range %s..%s", key, other)
            .isEqualTo(contents(bounded(model, key, other).descendingMap()));
        assertThat(store.writtenDown()).isEqualTo(writtenDown);
      }
      case ALL -> assertThat(contents(store.all())).isEqualTo(contents(model));
      case REVERSE_ALL ->
          assertThat(contents(store.reverseAll())).isEqualTo(contents(model.descendingMap()));
      case COMMIT -> {
        store.flushCache();
        assertThat(store.held()).isZero();
        assertThat(contents(rocks.all())).isEqualTo(contents(model));
      }
    }
  }

  /** Kafka's range: both bounds included, null open, empty when {@code from > to}. */
  private static NavigableMap<Bytes, byte[]> bounded(
      NavigableMap<Bytes, byte[]> model, Bytes from, Bytes to) {
    if (from != null && to != null && from.compareTo(to) > 0) {
      return new TreeMap<>();
    }
    NavigableMap<Bytes, byte[]> view = model;
    if (from != null) {
      view = view.tailMap(from, true);
    }
    if (to != null) {
      view = view.headMap(to, true);
    }
    return view;
  }

  /** Entries in iteration order, values as lists so they compare by content. */
  private static List<Map.Entry<Bytes, List<Byte>>> contents(KeyValueIterator<Bytes, byte[]> it) {
    List<Map.Entry<Bytes, List<Byte>>> out = new ArrayList<>();
    try (it) {
      while (it.hasNext()) {
        Bytes peeked = it.peekNextKey();
        KeyValue<Bytes, byte[]> kv = it.next();
        assertThat(kv.key).isEqualTo(peeked);
        out.add(Map.entry(kv.key, list(kv.value)));
      }
    }
    return out;
  }

  private static List<Map.Entry<Bytes, List<Byte>>> contents(NavigableMap<Bytes, byte[]> map) {
    List<Map.Entry<Bytes, List<Byte>>> out = new ArrayList<>();
    map.forEach((k, v) -> out.add(Map.entry(k, list(v))));
    return out;
  }

  private static List<Byte> list(byte[] value) {
    List<Byte> out = new ArrayList<>(value.length);
    for (byte b : value) {
      out.add(b);
    }
    return out;
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Kind> kinds =
        Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.just(Kind.PUT)),
            Tuple.of(3, Arbitraries.just(Kind.DELETE)),
            Tuple.of(2, Arbitraries.just(Kind.GET)),
            Tuple.of(3, Arbitraries.just(Kind.RANGE)),
            Tuple.of(1, Arbitraries.just(Kind.REVERSE_RANGE)),
            Tuple.of(1, Arbitraries.just(Kind.ALL)),
            Tuple.of(1, Arbitraries.just(Kind.REVERSE_ALL)),
            Tuple.of(1, Arbitraries.just(Kind.COMMIT)));
    Arbitrary<Integer> keys = Arbitraries.integers().between(0, KEYS.length - 1);
    Arbitrary<Integer> bounds =
        Arbitraries.frequencyOf(
            Tuple.of(8, keys), Tuple.of(1, Arbitraries.just(-1)));
    Arbitrary<Op> op =
        Combinators.combine(kinds, keys, bounds, bounds, Arbitraries.bytes())
            .as(
                (kind, key, from, to, value) ->
                    switch (kind) {
                      case RANGE, REVERSE_RANGE -> new Op(kind, from, to, value);
                      default -> new Op(kind, key, -1, value);
                    });
    return op.list().ofMinSize(1).ofMaxSize(60);
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("write-back-store-property");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
