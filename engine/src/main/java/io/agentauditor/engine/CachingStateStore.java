package io.agentauditor.engine;

import io.agentauditor.engine.StateRecords.AgentNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link StateStore} that keeps the decoded form of recently used records next to the store it
 * writes through to. The engine reads a record it finds here without a store lookup or a decode,
 * and on every write still encodes the record and puts the bytes into the inner store in the same
 * step: the inner store always holds the whole state, so a crash, a restore or a replay loses
 * nothing the cache held. What the cache saves is the read side: a session's meta, its agents'
 * path and its live credentials are read by nearly every step and change on few.
 *
 * <p>Records are grouped by session ({@link Session}), so a step finds all of its session's records
 * with one lookup, and the paths from the root to its agents are kept built.
 *
 * <p>Coherence rests on two rules. All writes go through this object (the inner store has no
 * other writer while it is wrapped), and {@link #put}, {@link #delete} of raw bytes drop the cached
 * object, so only writes that pass the decoded object along keep it (a stored decision put as raw
 * bytes makes every session's list of its stored decisions incomplete, so their lookups read the
 * store again). The engine mutates cached
 * objects only in a step's effect, which it writes back in the same step; a step that fails midway
 * calls {@link #clear()} so no half-applied object outlives it.
 *
 * <p>Bounded by record count: the sessions used least recently go first, whole; a single session
 * with more records than the bound keeps only its latest. A session started through this store
 * also lists the eventId hashes of the decisions it stored (so a new eventId needs no store read),
 * counted as a record per {@value #HASHES_PER_RECORD} hashes, and keeps its open decision group.
 * The engine's own record is kept besides. Not thread-safe: one per stream task, like the store it wraps.
 */
public final class CachingStateStore implements StateStore, DecodedRecords {

  /**
   * Records kept by {@link #CachingStateStore(StateStore)}: those of about a hundred large live
   * sessions (50 agents, 200 credentials each), some 16 MB of heap at roughly 0.5 KB a record.
   */
  public static final int DEFAULT_MAX_ENTRIES = 32_768;

  /** Stored-decision hashes a session's set holds per record of room it counts for (about 0.5 KB). */
  static final int HASHES_PER_RECORD = 32;

  private final StateStore inner;
  private final int maxEntries;
  private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>(256, 0.75f, true);
  /** The sessions holding an open decision group, by the group's key (see {@link Session#groupKey}). */
  private final HashMap<ByteKey, Session> groupHolders = new HashMap<>();
  private EngineMeta engineMeta;
  /** Decisions put as bytes by {@link #put}, not through a session, so far. */
  private long directDecisionWrites;
  private int size;
  private long hits;
  private long misses;

  /** Wraps {@code inner} with room for {@value #DEFAULT_MAX_ENTRIES} decoded records. */
  public CachingStateStore(StateStore inner) {
    this(inner, DEFAULT_MAX_ENTRIES);
  }

  /**
   * @param inner the store written through to; not null
   * @param maxEntries decoded records kept, at least 1
   */
  public CachingStateStore(StateStore inner, int maxEntries) {
    this.inner = Objects.requireNonNull(inner, "inner");
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
    }
    this.maxEntries = maxEntries;
  }

  @Override
  public byte[] get(byte[] key) {
    return inner.get(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    forget(key);
    if (key.length > 0 && key[0] == StateKeys.DECISION) {
      // A decision not stored through its session: no session's list of its decisions is whole.
      directDecisionWrites++;
    }
    inner.put(key, value);
  }

  @Override
  public void delete(byte[] key) {
    forget(key);
    inner.delete(key);
  }

  @Override
  public RangeIterator range(byte[] from, byte[] toExclusive) {
    return inner.range(from, toExclusive);
  }

  @Override
  public DecodedRecords decoded() {
    return this;
  }

  /** Drops every decoded record (the inner store is untouched). */
  @Override
  public void clear() {
    for (Session s : sessions.values()) {
      s.detach();
    }
    sessions.clear();
    groupHolders.clear();
    engineMeta = null;
    size = 0;
  }

  /** Reads answered from the cache so far. */
  public long hits() {
    return hits;
  }

  /** Reads that went to the inner store so far. */
  public long misses() {
    return misses;
  }

  /** Decoded records held, not counting the engine's own. */
  public int size() {
    return size;
  }

  /** Sessions whose records are held. */
  int sessions() {
    return sessions.size();
  }

  /** Drops the decoded record that bytes written directly under {@code key} would make stale. */
  private void forget(byte[] key) {
    if (key.length == 0) {
      return;
    }
    byte kind = key[0];
    if (kind == StateKeys.ENGINE_META) {
      if (Arrays.equals(key, StateKeys.STREAM_TIME)) {
        engineMeta = null;
      }
      return;
    }
    if (kind == StateKeys.DECISION_GROUP) {
      if (!groupHolders.isEmpty()) {
        Session s = groupHolders.remove(new ByteKey(key));
        if (s != null) {
          s.dropGroup();
        }
      }
      return;
    }
    if (sessions.isEmpty()
        || !Session.cachedKind(kind) && kind != StateKeys.TIMER && kind != StateKeys.CREDENTIAL_USE) {
      return; // dedupe records and index entries are never kept decoded
    }
    Session s = sessions.get(StateKeys.sessionOf(key));
    if (s == null) {
      return;
    }
    if (kind == StateKeys.TIMER) {
      s.remove(StateKeys.SESSION, null); // the timer lives in the cached session meta
    } else if (kind == StateKeys.CREDENTIAL_USE) {
      s.remove(StateKeys.CREDENTIAL, StateKeys.idOf(key)); // as does a credential's use
    } else if (kind == StateKeys.SESSION || kind == StateKeys.APPROVALS) {
      s.remove(kind, null);
    } else {
      s.remove(kind, StateKeys.idOf(key));
    }
  }

  /**
   * The records of {@code sessionId} kept here: what this store already holds decoded, to which
   * reads through the returned object add. Touches the session as used.
   */
  @Override
  public Session session(String sessionId) {
    Session s = sessions.get(sessionId);
    return s != null ? s : new Session(sessionId);
  }

  /** The engine's own record, decoded once and then kept. */
  @Override
  public EngineMeta engineMeta(Function<byte[], EngineMeta> decode) {
    if (engineMeta != null) {
      hits++;
      return engineMeta;
    }
    misses++;
    byte[] b = inner.get(StateKeys.STREAM_TIME);
    engineMeta = b == null ? null : decode.apply(b);
    return engineMeta;
  }

  /** Writes the engine's own record through, keeping {@code value} decoded. */
  @Override
  public void writeEngineMeta(byte[] bytes, EngineMeta value) {
    inner.put(StateKeys.STREAM_TIME, bytes);
    engineMeta = value;
  }

  /**
   * Makes room after {@code current} gained a record: other sessions go first, least recent first.
   *
   * @return whether {@code current} alone still holds more than the bound
   */
  private boolean evictOthers(Session current) {
    Iterator<Session> it = sessions.values().iterator();
    while (size > maxEntries && it.hasNext()) {
      Session s = it.next();
      if (s != current) {
        it.remove();
        s.detach();
      }
    }
    return size > maxEntries;
  }

  /**
   * One session's decoded records: the session meta and the list of approvals (one each), and agents,
   * credentials and fan-out windows by id. Obtained per step from {@link #session}; it joins the
   * cache with its first record, and leaves it when evicted or when its last record is deleted (it
   * then still reads and writes through, keeping nothing).
   */
  final class Session {

    private final String sessionId;
    /** Records by kind and id, for the kinds with a record per id (agents, credentials, fan-out). */
    private final HashMap<String, Object>[] byKind;
    /**
     * The records of the single-record kinds, the meta and the list of approvals: the meta is read
     * on nearly every step, so they are held here, with no map, table and entry to touch.
     */
    private Object meta;
    private Object approvals;
    private int count;
    private boolean attached;
    private boolean evicted;
    /**
     * The generation of the paths from the root built from the kept agents: each is kept on its
     * last agent's record with the generation it was built in ({@link AgentNode#keptPath}), and
     * all go stale at once when this moves on, whenever an agent record is replaced or dropped.
     */
    private long pathGeneration;
    /**
     * The session's open decision group as last written through here: its key (also among the
     * store's group holders, so bytes written directly under it drop it), bucket, handle and bytes.
     */
    private byte[] groupKey;
    private long groupLast;
    private long groupHandle;
    private byte[] groupBytes;
    /**
     * The eventId hashes of every decision stored under the session's handle, when the session
     * started through this object (a superset: decisions purged since stay listed); null when not
     * known, so a lookup reads the store.
     */
    private LongSet stored;
    /** {@link #directDecisionWrites} when {@link #stored} was started: it is whole while equal. */
    private long storedSince;
    /** Keys of the single-record kinds by kind, made on first use. */
    private byte[][] singleKeys;
    /** Records' worth of room {@link #stored} counts for: one per HASHES_PER_RECORD hashes. */
    private int storedUnits;

    @SuppressWarnings("unchecked")
    private Session(String sessionId) {
      this.sessionId = sessionId;
      this.byKind = new HashMap[StateKeys.TIMER + 1];
    }

    static boolean cachedKind(byte kind) {
      return kind == StateKeys.SESSION
          || kind == StateKeys.AGENT
          || kind == StateKeys.CREDENTIAL
          || kind == StateKeys.APPROVALS
          || kind == StateKeys.FAN_OUT;
    }

    /**
     * The decoded record of {@code kind} and {@code id} (null for the single-record kinds): the kept
     * one, else the inner store's bytes decoded and kept. An absent record is not remembered (most
     * absent keys are read once).
     */
    <T> T read(byte kind, String id, Function<byte[], T> decode) {
      Object kept = peek(kind, id);
      if (kept != null) {
        hits++;
        @SuppressWarnings("unchecked")
        T t = (T) kept;
        return t;
      }
      misses++;
      byte[] b = inner.get(key(kind, id));
      if (b == null) {
        return null;
      }
      T value = decode.apply(b);
      keep(kind, id, value);
      return value;
    }

    /**
     * The kept record of {@code kind} and {@code id}, counted as a hit; null when none is kept (the
     * caller then reads it with {@link #read}, which counts the miss). Lets a caller make its
     * decoding function only on a miss.
     */
    Object hit(byte kind, String id) {
      Object kept = peek(kind, id);
      if (kept != null) {
        hits++;
      }
      return kept;
    }

    /** The kept record, or null. */
    Object peek(byte kind, String id) {
      if (id == null) {
        return single(kind);
      }
      HashMap<String, Object> m = byKind[kind];
      return m == null ? null : m.get(id);
    }

    /** The kept record of {@code kind}, a single-record kind (the meta, the approvals), or null. */
    private Object single(byte kind) {
      return kind == StateKeys.SESSION ? meta : kind == StateKeys.APPROVALS ? approvals : null;
    }

    /** Keeps {@code value} (null: none) as the record of {@code kind}, a single-record kind. */
    private void setSingle(byte kind, Object value) {
      if (kind == StateKeys.SESSION) {
        meta = value;
      } else if (kind == StateKeys.APPROVALS) {
        approvals = value;
      } else {
        throw new IllegalArgumentException("kind " + kind + " has a record per id");
      }
    }

    /** Counts a read answered with a record the caller already got from this session in its step. */
    void countHit() {
      hits++;
    }

    /**
     * Writes {@code bytes}, the encoding of {@code value}, through and keeps {@code value} (unless
     * null: bytes whose decoded form lives in another record, like the timer in the session meta,
     * drop nothing).
     */
    void write(byte kind, String id, byte[] bytes, Object value) {
      inner.put(key(kind, id), bytes);
      if (value != null) {
        keep(kind, id, value);
      }
    }

    /**
     * The key of the record of {@code kind} and {@code id}; those of the single-record kinds (the
     * meta and the timer, written on most steps) are made once per kept session.
     */
    private byte[] key(byte kind, String id) {
      if (id != null) {
        return StateKeys.record(kind, sessionId, id);
      }
      if (singleKeys == null) {
        singleKeys = new byte[StateKeys.TIMER + 1][];
      }
      byte[] key = singleKeys[kind];
      return key != null ? key : (singleKeys[kind] = StateKeys.record(kind, sessionId, null));
    }

    /**
     * Puts {@code bytes} under {@code key}, a record of this session whose decoded form lives in a
     * kept record of another key (a new approval in the kept list of approvals): nothing kept is
     * dropped.
     */
    void writeBeside(byte[] key, byte[] bytes) {
      inner.put(key, bytes);
    }

    /** Keeps {@code value} as the decoded record of {@code kind} and {@code id}, without writing. */
    void keep(byte kind, String id, Object value) {
      if (evicted) {
        return;
      }
      Object previous;
      if (id == null) {
        previous = single(kind);
        setSingle(kind, value);
      } else {
        HashMap<String, Object> m = byKind[kind];
        if (m == null) {
          m = byKind[kind] = new HashMap<>(16);
        }
        previous = m.put(id, value);
      }
      if (kind == StateKeys.AGENT && previous != null && previous != value) {
        // A kept path holds the agents' objects: one replaced by another object makes paths
        // through it stale. A new agent is on no kept path, and one changed in place stays current.
        pathGeneration++;
      }
      if (previous == null) {
        count++;
        size++;
        if (!attached) {
          attached = true;
          Session replaced = sessions.put(sessionId, this);
          if (replaced != null && replaced != this) {
            replaced.detach();
          }
        }
        if (size > maxEntries && evictOthers(this)) {
          keepOnly(kind, id);
        }
      }
    }

    void remove(byte kind, String id) {
      if (kind == StateKeys.AGENT) {
        pathGeneration++;
      }
      Object removed;
      if (id == null) {
        removed = single(kind);
        if (removed != null) {
          setSingle(kind, null);
        }
      } else {
        HashMap<String, Object> m = byKind[kind];
        removed = m == null ? null : m.remove(id);
      }
      if (removed != null) {
        count--;
        size--;
        if (count == 0) {
          // A purged session leaves no empty entry behind (entries are bounded by records only).
          sessions.remove(sessionId, this);
          detach();
        }
      }
    }

    /**
     * The key of this session's open decision group of the bucket ending at {@code last}, as kept
     * by {@link #writeGroup}; null when another group or none is kept (the caller then builds the
     * key and reads the group from the store).
     */
    byte[] groupKey(long last, long handle) {
      return groupKey != null && groupLast == last && groupHandle == handle ? groupKey : null;
    }

    /** The bytes of the open group whose key {@link #groupKey} returned. */
    byte[] groupBytes() {
      return groupBytes;
    }

    /**
     * Writes {@code bytes} through as the open decision group under {@code key} (of the bucket
     * ending at {@code last} and {@code handle}), and keeps them.
     */
    void writeGroup(long last, long handle, byte[] key, byte[] bytes) {
      inner.put(key, bytes);
      if (!attached || evicted) {
        return;
      }
      if (key != groupKey) {
        if (groupKey != null) {
          groupHolders.remove(new ByteKey(groupKey));
        }
        Session held = groupHolders.put(new ByteKey(key), this);
        if (held != null && held != this) {
          held.groupKey = null;
          held.groupBytes = null;
        }
        groupKey = key;
        groupLast = last;
        groupHandle = handle;
      }
      groupBytes = bytes;
    }

    /** Forgets the kept open group (bytes were written or deleted under its key directly). */
    private void dropGroup() {
      groupKey = null;
      groupBytes = null;
    }

    /**
     * Starts the set of the session's stored decisions: called when the session starts with a new
     * handle, under which the store holds no decision yet.
     */
    void decisionsStartHere() {
      if (attached && !evicted) {
        stored = new LongSet();
        storedSince = directDecisionWrites;
      }
    }

    /**
     * Whether a decision may be stored under the session's handle with {@code eventHash}: false
     * only when every decision stored under it since its start went through this object, none of
     * them with that hash.
     */
    boolean mayHoldDecision(long eventHash) {
      return stored == null || storedSince != directDecisionWrites || stored.contains(eventHash);
    }

    /**
     * Writes {@code bytes}, a decision of this session, through under {@code key} (its handle and
     * {@code eventHash}), and notes it.
     */
    void writeDecision(byte[] key, byte[] bytes, long eventHash) {
      inner.put(key, bytes);
      decisionStored(eventHash);
    }

    private void decisionStored(long eventHash) {
      if (stored == null || evicted || !stored.add(eventHash) || stored.size() % HASHES_PER_RECORD != 0) {
        return;
      }
      storedUnits++;
      size++;
      if (size > maxEntries && evictOthers(this)) {
        dropStored(); // alone over the bound: the store answers its lookups
      }
    }

    private void dropStored() {
      stored = null;
      size -= storedUnits;
      storedUnits = 0;
    }

    /**
     * The path kept on {@code node}, a kept agent record of this session, or null when none was
     * kept or it went stale.
     */
    List<AgentNode> path(AgentNode node) {
      return node.pathOwner == this && node.pathGeneration == pathGeneration ? node.keptPath : null;
    }

    /**
     * The generation of the kept paths: it moves on whenever an agent record kept here is replaced
     * by another object or dropped, so an agent record got while it is unchanged is still the kept
     * one.
     */
    long pathGeneration() {
      return pathGeneration;
    }

    /** Keeps {@code path}, built from this session's kept agents, on its last agent's record. */
    void keepPath(List<AgentNode> path) {
      if (!attached || evicted) {
        return;
      }
      AgentNode last = path.get(path.size() - 1);
      last.keptPath = path;
      last.pathOwner = this;
      last.pathGeneration = pathGeneration;
    }

    /** Leaves the cache: its records no longer count, and it keeps nothing from now on. */
    private void detach() {
      if (!evicted) {
        size -= count;
        dropStored();
      }
      if (groupKey != null) {
        groupHolders.remove(new ByteKey(groupKey), this);
        dropGroup();
      }
      evicted = true;
      count = 0;
      Arrays.fill(byKind, null);
      meta = null;
      approvals = null;
      pathGeneration++;
    }

    /** Drops every record but the one of {@code kind} and {@code id}. */
    private void keepOnly(byte kind, String id) {
      Object last = peek(kind, id);
      dropStored();
      size -= count;
      count = 0;
      Arrays.fill(byKind, null);
      meta = null;
      approvals = null;
      pathGeneration++;
      if (last != null) {
        if (id == null) {
          setSingle(kind, last);
        } else {
          HashMap<String, Object> m = byKind[kind] = new HashMap<>(2);
          m.put(id, last);
        }
        count = 1;
        size++;
      }
    }
  }

  /** A set of longs, open addressing with linear probing (0 is kept apart: it marks a free slot). */
  static final class LongSet {
    private long[] slots = new long[16];
    private int size;
    private boolean hasZero;

    int size() {
      return size;
    }

    boolean contains(long v) {
      if (v == 0) {
        return hasZero;
      }
      int mask = slots.length - 1;
      for (int i = mix(v) & mask; ; i = (i + 1) & mask) {
        long s = slots[i];
        if (s == v) {
          return true;
        }
        if (s == 0) {
          return false;
        }
      }
    }

    /** Adds {@code v}; whether it was not in the set. */
    boolean add(long v) {
      if (v == 0) {
        if (hasZero) {
          return false;
        }
        hasZero = true;
        size++;
        return true;
      }
      if (!insert(slots, v)) {
        return false;
      }
      if (++size * 2 > slots.length) {
        long[] grown = new long[slots.length * 2];
        for (long s : slots) {
          if (s != 0) {
            insert(grown, s);
          }
        }
        slots = grown;
      }
      return true;
    }

    private static boolean insert(long[] table, long v) {
      int mask = table.length - 1;
      for (int i = mix(v) & mask; ; i = (i + 1) & mask) {
        long s = table[i];
        if (s == v) {
          return false;
        }
        if (s == 0) {
          table[i] = v;
          return true;
        }
      }
    }

    private static int mix(long v) {
      // The engine's hashes are mixed already; folding the halves keeps any other input spread.
      return (int) (v ^ (v >>> 32));
    }
  }
}
