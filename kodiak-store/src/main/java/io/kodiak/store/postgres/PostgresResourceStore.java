package io.kodiak.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.core.ResourceMeta;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ChangeListener;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceAlreadyExistsException;
import io.kodiak.store.api.ResourceChange;
import io.kodiak.store.api.ResourceConflictException;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.ResourcePage;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.store.api.StoreUnavailableException;
import io.kodiak.store.memory.ResourceIndex;
import io.kodiak.store.postgres.ChangeFeed.Notice;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store of a highly available control plane: PostgreSQL is the truth, shared by every replica.
 * Reads come from an in-memory copy; each write is checked and made in one database transaction
 * (optimistic versions and the mesh's existence hold across processes), then read back into the
 * copy before it returns. Other replicas' writes arrive through the {@link ChangeFeed}. While the
 * database is unreachable, reads keep answering from memory and writes fail with {@link
 * StoreUnavailableException}.
 *
 * <p>Thread-safety: thread-safe. Writes run concurrently in the database; every change to the copy
 * (and its event) is made under one lock, from a read made under that lock, so the copy only moves
 * forward and events arrive in commit order.
 */
public final class PostgresResourceStore implements ResourceStore {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresResourceStore.class);
  private static final String MESH = ResourceCatalog.MESH.name();

  private final PostgresOptions options;
  private final Clock clock;
  private final HikariDataSource pool;
  private final ChangeFeed feed;
  private final BatchedInserts inserts;
  private final ResourceIndex index = new ResourceIndex();
  private final Map<ResourceKey, Long> revisions = new ConcurrentHashMap<>();
  private final Map<String, String> settings = new ConcurrentHashMap<>();
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final Object copyLock = new Object();

  /** How many times the copy was rebuilt from the database (changed under copyLock). */
  private final AtomicLong catchUps = new AtomicLong();

  /**
   * Rows this store deleted, at the revision each had (guarded by copyLock): only writes racing to
   * the lock can be older, so the last few thousand are enough.
   */
  private final Map<ResourceKey, Long> tombstones =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ResourceKey, Long> eldest) {
          return size() > 4096;
        }
      };

  /**
   * Connects, brings the schema up to date (Flyway; replicas starting together take turns) and
   * loads every resource.
   *
   * @throws StoreUnavailableException when the database cannot be reached or migrated
   */
  public PostgresResourceStore(PostgresOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
    try {
      this.pool = new HikariDataSource(poolConfig(options));
    } catch (RuntimeException e) {
      throw new StoreUnavailableException(
          null, "cannot reach PostgreSQL at " + options.where() + ": " + rootMessage(e), e);
    }
    try {
      Flyway.configure()
          .dataSource(pool)
          .locations("classpath:io/kodiak/store/postgres/migrations")
          .load()
          .migrate();
      this.feed = new ChangeFeed(options, new Receiver());
      feed.start();
      this.inserts = new BatchedInserts(pool);
    } catch (SQLException | RuntimeException e) {
      pool.close();
      throw new StoreUnavailableException(
          null,
          "cannot open the PostgreSQL store at " + options.where() + ": " + rootMessage(e),
          e);
    }
    LOG.info("store: PostgreSQL at {} holds {} resources", options.where(), index.all().size());
  }

  private static HikariConfig poolConfig(PostgresOptions options) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("kodiak-store");
    config.setJdbcUrl(options.jdbcUrl());
    config.setUsername(options.user());
    config.setPassword(options.password());
    config.addDataSourceProperty("ApplicationName", "kodiak-cp");
    config.setMaximumPoolSize(options.maxConnections());
    config.setMinimumIdle(1);
    config.setAutoCommit(false);
    config.setConnectionTimeout(Math.max(250, options.connectionTimeout().toMillis()));
    config.setInitializationFailTimeout(Math.max(1, options.connectionTimeout().toMillis()));
    return config;
  }

  // --- writes ---

  @Override
  public Resource create(Resource resource) {
    ResourceKey key = resource.key();
    Instant now = now();
    Resource stored = resource.withMeta(new ResourceMeta(1, now, now, resource.meta().labels()));
    long epoch = catchUps.get();
    Optional<Long> inserted;
    try {
      inserted = inserts.insert(stored); // with the creates of other callers waiting now
    } catch (SQLException e) {
      throw unavailable(key, "create", e);
    }
    if (inserted.isEmpty() && key.type().isMeshScoped() && index.get(key).isEmpty()) {
      try { // its Mesh may have been created in the same statement, where it was not visible yet
        inserted = inserts.insert(stored);
      } catch (SQLException e) {
        throw unavailable(key, "create", e);
      }
    }
    if (inserted.isEmpty()) {
      if (key.type().isMeshScoped()) {
        try (Connection c = connection(key, "create")) {
          try {
            requireMesh(c, key); // which of the two it was
            c.commit();
          } catch (SQLException | RuntimeException e) {
            throw failed(c, key, "create", e);
          }
        } catch (SQLException e) {
          throw unavailable(key, "create", e);
        }
      }
      throw new ResourceAlreadyExistsException(key);
    }
    applyWritten(new StoredRow(stored, inserted.get()), epoch);
    return stored;
  }

  @Override
  public Resource update(Resource resource, long expectedVersion) {
    ResourceKey key = resource.key();
    Resource stored;
    long revision;
    long epoch = catchUps.get();
    try (Connection c = connection(key, "update")) {
      try {
        Resource current =
            lockRow(c, key, false)
                .map(StoredRow::resource)
                .orElseThrow(() -> new ResourceNotFoundException(key));
        if (current.meta().version() != expectedVersion) {
          throw new ResourceConflictException(key, expectedVersion, current.meta().version());
        }
        if (current.spec().equals(resource.spec())
            && current.meta().labels().equals(resource.meta().labels())) {
          c.commit();
          return current;
        }
        stored =
            new Resource(
                key,
                new ResourceMeta(
                    current.meta().version() + 1,
                    current.meta().creationTime(),
                    now(),
                    resource.meta().labels()),
                resource.spec());
        try (PreparedStatement st =
            c.prepareStatement(
                "UPDATE resources SET version = ?, modification_time = ?, labels = ?, spec = ?"
                    + " WHERE type = ? AND mesh = ? AND name = ? RETURNING revision")) {
          st.setLong(1, stored.meta().version());
          st.setTimestamp(2, StoredRow.timestamp(stored.meta().modificationTime()));
          st.setString(3, StoredRow.json(stored.meta().labels()));
          st.setString(4, StoredRow.json(stored.spec()));
          StoredRow.bindKey(st, 5, key);
          revision = returnedRevision(st).orElseThrow(() -> new ResourceNotFoundException(key));
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        throw failed(c, key, "update", e);
      }
      applyWritten(new StoredRow(stored, revision), epoch);
    } catch (SQLException e) {
      throw unavailable(key, "update", e);
    }
    return stored;
  }

  @Override
  public void delete(ResourceKey key) {
    Map<ResourceKey, Long> removed = new LinkedHashMap<>(); // with the revision each row had
    long epoch = catchUps.get();
    try (Connection c = connection(key, "delete")) {
      try {
        long revision =
            lockRow(c, key, true)
                .map(StoredRow::revision)
                .orElseThrow(() -> new ResourceNotFoundException(key));
        if (key.type() == ResourceCatalog.MESH) {
          // the Mesh row is locked: a concurrent create in it waits, then finds no Mesh
          try (PreparedStatement st =
              c.prepareStatement(
                  "DELETE FROM resources WHERE mesh = ? AND type <> ? RETURNING type, name,"
                      + " revision")) {
            st.setString(1, key.name());
            st.setString(2, MESH);
            try (ResultSet rows = st.executeQuery()) {
              while (rows.next()) {
                Optional<ResourceType> type = ResourceCatalog.byName(rows.getString(1));
                long childRevision = rows.getLong(3);
                type.ifPresent(
                    t -> removed.put(ResourceKey.of(t, key.name(), name(rows)), childRevision));
              }
            }
          }
        }
        removed.put(key, revision);
        try (PreparedStatement st =
            c.prepareStatement("DELETE FROM resources WHERE type = ? AND mesh = ? AND name = ?")) {
          StoredRow.bindKey(st, 1, key);
          st.executeUpdate();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        throw failed(c, key, "delete", e);
      }
      applyDeleted(removed, epoch);
    } catch (SQLException e) {
      throw unavailable(key, "delete", e);
    }
  }

  private static String name(ResultSet rows) {
    try {
      return rows.getString(2);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Shares the Mesh row's lock so a concurrent deletion of the Mesh waits for this write. */
  private static void requireMesh(Connection c, ResourceKey key) throws SQLException {
    ResourceKey mesh = ResourceKey.of(ResourceCatalog.MESH, "", key.mesh());
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT 1 FROM resources WHERE type = ? AND mesh = ? AND name = ? FOR SHARE")) {
      StoredRow.bindKey(st, 1, mesh);
      try (ResultSet rows = st.executeQuery()) {
        if (!rows.next()) {
          throw new ResourceNotFoundException(mesh);
        }
      }
    }
  }

  /**
   * The row, locked: {@code FOR UPDATE} to delete it, {@code FOR NO KEY UPDATE} to change it (a
   * Mesh being updated does not hold up the creates in it, which key-share-lock its row).
   */
  private static Optional<StoredRow> lockRow(Connection c, ResourceKey key, boolean toDelete)
      throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT "
                + StoredRow.COLUMNS
                + " FROM resources WHERE type = ? AND mesh = ? AND name = ? FOR "
                + (toDelete ? "UPDATE" : "NO KEY UPDATE"))) {
      StoredRow.bindKey(st, 1, key);
      try (ResultSet rows = st.executeQuery()) {
        return rows.next() ? StoredRow.read(rows) : Optional.empty();
      }
    }
  }

  // --- the in-memory copy ---

  /**
   * After a commit: the row this write stored (its revision from the database), into the copy. Not
   * read back: concurrent writers would take turns on the copy's lock for a round trip each. An
   * older row applied late (a writer that lost the race to the lock) is skipped by its revision.
   */
  private void applyWritten(StoredRow row, long epoch) {
    synchronized (copyLock) {
      if (catchUps.get() == epoch) {
        apply(row.resource().key(), Optional.of(row));
        return;
      }
    }
    reread(Map.of(row.resource().key(), row.revision()));
  }

  /**
   * After a commit: the rows this write deleted, out of the copy, unless the copy already has a
   * newer row (written again since); each is remembered as deleted at its revision, so a late apply
   * of an older row does not bring it back.
   */
  private void applyDeleted(Map<ResourceKey, Long> removed, long epoch) {
    synchronized (copyLock) {
      if (catchUps.get() == epoch) {
        removeAll(removed);
        return;
      }
    }
    reread(removed);
  }

  private void removeAll(Map<ResourceKey, Long> removed) {
    synchronized (copyLock) { // reentrant: refresh calls it holding the lock
      for (Map.Entry<ResourceKey, Long> entry : removed.entrySet()) {
        Long known = revisions.get(entry.getKey());
        if (known != null && known > entry.getValue()) {
          continue;
        }
        tombstones.put(entry.getKey(), entry.getValue());
        apply(entry.getKey(), Optional.empty());
      }
    }
  }

  /**
   * A write made while the copy was being rebuilt from the database (the change feed came back):
   * what it changed is read again rather than applied, since the rebuild may have seen a newer
   * state of it (another replica deleting it during the outage) that applying would undo.
   */
  private void reread(Map<ResourceKey, Long> keys) {
    try (Connection c = pool.getConnection()) {
      refresh(c, keys);
      c.commit();
    } catch (SQLException e) {
      LOG.warn(
          "store: {} was written during a catch-up and could not be read again ({}); the change"
              + " feed brings it when the database is reachable",
          keys.keySet(),
          e.getMessage());
    }
  }

  private static Optional<Long> returnedRevision(PreparedStatement st) throws SQLException {
    try (ResultSet rows = st.executeQuery()) {
      return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
    }
  }

  /**
   * Reads announced rows and applies what it finds. The read happens outside the copy's lock (a
   * round trip there would hold up every writer of this replica); applying under it is ordered by
   * revision: an older row than the copy's is skipped, and a row not found is deleted as of the
   * newest revision announced for it, unless the copy already holds a newer one.
   *
   * @param announced each key with the newest revision announced for it
   */
  private void refresh(Connection c, Map<ResourceKey, Long> announced) throws SQLException {
    List<ResourceKey> keys = new ArrayList<>(announced.keySet());
    Map<ResourceKey, StoredRow> found = new HashMap<>();
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT "
                + StoredRow.COLUMNS
                + " FROM resources WHERE (type, mesh, name) IN"
                + " (SELECT * FROM unnest(?::text[], ?::text[], ?::text[]))")) {
      st.setArray(1, c.createArrayOf("text", keys.stream().map(k -> k.type().name()).toArray()));
      st.setArray(2, c.createArrayOf("text", keys.stream().map(ResourceKey::mesh).toArray()));
      st.setArray(3, c.createArrayOf("text", keys.stream().map(ResourceKey::name).toArray()));
      try (ResultSet rows = st.executeQuery()) {
        while (rows.next()) {
          StoredRow.read(rows).ifPresent(row -> found.put(row.resource().key(), row));
        }
      }
    }
    synchronized (copyLock) {
      for (ResourceKey key : keys) {
        StoredRow row = found.get(key);
        if (row != null) {
          apply(key, Optional.of(row));
        } else {
          removeAll(Map.of(key, announced.get(key)));
        }
      }
    }
  }

  /** Everything, compared with the copy: at start and after the change feed was lost. */
  private void catchUp(Connection c, String reason) throws SQLException {
    synchronized (copyLock) {
      catchUps.incrementAndGet(); // writes in flight read their keys again instead of applying them
      tombstones.clear(); // what the database holds now is the truth
      Map<ResourceKey, StoredRow> found = new HashMap<>();
      try (Statement st = c.createStatement();
          ResultSet rows = st.executeQuery("SELECT " + StoredRow.COLUMNS + " FROM resources")) {
        while (rows.next()) {
          StoredRow.read(rows).ifPresent(row -> found.put(row.resource().key(), row));
        }
      }
      Map<String, String> stored = new HashMap<>();
      try (Statement st = c.createStatement();
          ResultSet rows = st.executeQuery("SELECT key, value FROM settings")) {
        while (rows.next()) {
          stored.put(rows.getString(1), rows.getString(2));
        }
      }
      int changed = 0;
      for (Resource cached : index.all()) {
        if (!found.containsKey(cached.key())) {
          changed += apply(cached.key(), Optional.empty());
        }
      }
      for (Map.Entry<ResourceKey, StoredRow> row : found.entrySet()) {
        changed += apply(row.getKey(), Optional.of(row.getValue()));
      }
      settings.keySet().retainAll(stored.keySet());
      settings.putAll(stored);
      if (!reason.equals("start")) {
        LOG.info(
            "store: change feed back at {} after a {}; caught up {} changes",
            options.where(),
            reason,
            changed);
      }
    }
  }

  /** Moves the copy of {@code key} to {@code row}; returns how many events that made (0-2). */
  private int apply(ResourceKey key, Optional<StoredRow> row) {
    Optional<Resource> cached = index.get(key);
    if (row.isEmpty()) {
      if (cached.isEmpty()) {
        return 0;
      }
      index.remove(key);
      revisions.remove(key);
      publish(ChangeKind.DELETED, cached.get());
      return 1;
    }
    Long deletedAt = tombstones.get(key);
    if (deletedAt != null && deletedAt >= row.get().revision()) {
      return 0; // an older row than its deletion, applied late
    }
    tombstones.remove(key);
    Resource now = row.get().resource();
    Long known = revisions.get(key);
    if (cached.isPresent() && known != null && known >= row.get().revision()) {
      return 0;
    }
    index.put(now);
    revisions.put(key, row.get().revision());
    if (cached.isEmpty()) {
      publish(ChangeKind.CREATED, now);
      return 1;
    }
    if (!cached.get().meta().creationTime().equals(now.meta().creationTime())) {
      // deleted and created again while this replica was not looking
      publish(ChangeKind.DELETED, cached.get());
      publish(ChangeKind.CREATED, now);
      return 2;
    }
    if (cached.get().equals(now)) {
      return 0;
    }
    publish(ChangeKind.UPDATED, now);
    return 1;
  }

  /** Which announced rows the copy does not have yet; reads those through the feed's connection. */
  private void received(List<Notice> notices, Connection c) throws SQLException {
    Map<ResourceKey, Long> stale = new LinkedHashMap<>();
    for (Notice notice : notices) {
      long known = revisions.getOrDefault(notice.key(), -1L);
      if (notice.deleted()) { // announced with the deleted row's revision
        if ((index.get(notice.key()).isPresent() && known <= notice.revision())
            || stale.containsKey(notice.key())) {
          stale.merge(notice.key(), notice.revision(), Math::max);
        }
      } else if (known < notice.revision()) {
        stale.merge(notice.key(), notice.revision(), Math::max);
      }
    }
    if (!stale.isEmpty()) {
      refresh(c, stale);
    }
  }

  private void publish(ChangeKind kind, Resource resource) {
    ResourceChange change = new ResourceChange(kind, resource);
    for (ChangeListener listener : listeners) {
      try {
        listener.onChange(change);
      } catch (RuntimeException e) {
        LOG.error("change listener failed on {} {}: {}", kind, resource.key(), e.toString(), e);
      }
    }
  }

  // --- reads ---

  @Override
  public Optional<Resource> get(ResourceKey key) {
    return index.get(key);
  }

  @Override
  public ResourcePage list(ResourceType type, ListQuery query) {
    return index.list(type, query);
  }

  @Override
  public int count(ResourceType type, Optional<String> mesh) {
    return index.count(type, mesh);
  }

  // --- settings: read through to the database, from memory while it is away ---

  @Override
  public Optional<String> setting(String key) {
    try (Connection c = pool.getConnection();
        PreparedStatement st = c.prepareStatement("SELECT value FROM settings WHERE key = ?")) {
      st.setString(1, key);
      try (ResultSet rows = st.executeQuery()) {
        Optional<String> value = rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
        c.commit();
        value.ifPresentOrElse(v -> settings.put(key, v), () -> settings.remove(key));
        return value;
      }
    } catch (SQLException e) {
      LOG.debug(
          "store: setting {} from memory, the database is unreachable: {}", key, e.getMessage());
      return Optional.ofNullable(settings.get(key));
    }
  }

  @Override
  public void putSetting(String key, String value) {
    try (Connection c = connection(null, "write setting " + key)) {
      try (PreparedStatement st =
          c.prepareStatement(
              "INSERT INTO settings (key, value) VALUES (?, ?)"
                  + " ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
        st.setString(1, key);
        st.setString(2, value);
        st.executeUpdate();
        c.commit();
      } catch (SQLException e) {
        throw failed(c, null, "write setting " + key, e);
      }
      settings.put(key, value);
    } catch (SQLException e) {
      throw unavailable(null, "write setting " + key, e);
    }
  }

  @Override
  public String settingIfAbsent(String key, String value) {
    try (Connection c = connection(null, "write setting " + key)) {
      try {
        try (PreparedStatement st =
            c.prepareStatement(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")) {
          st.setString(1, key);
          st.setString(2, value);
          st.executeUpdate();
        }
        String current;
        try (PreparedStatement st =
            c.prepareStatement("SELECT value FROM settings WHERE key = ?")) {
          st.setString(1, key);
          try (ResultSet rows = st.executeQuery()) {
            rows.next();
            current = rows.getString(1);
          }
        }
        c.commit();
        settings.put(key, current);
        return current;
      } catch (SQLException e) {
        throw failed(c, null, "write setting " + key, e);
      }
    } catch (SQLException e) {
      throw unavailable(null, "write setting " + key, e);
    }
  }

  /** Where {@code replica} records the proxies it holds, on this store's pool. */
  public PostgresProxyPresence presence(String replica) {
    return new PostgresProxyPresence(pool, replica);
  }

  /** Where {@code replica} shares its proxies' insights with the others, on this store's pool. */
  public PostgresInsights insights(String replica) {
    return new PostgresInsights(pool, replica);
  }

  @Override
  public void addListener(ChangeListener listener) {
    listeners.add(listener);
  }

  @Override
  public void close() {
    feed.close();
    inserts.close();
    pool.close();
  }

  // --- plumbing ---

  private Connection connection(ResourceKey key, String what) {
    try {
      return pool.getConnection();
    } catch (SQLException e) {
      throw unavailable(key, what, e);
    }
  }

  /** Rolls back; a store exception passes through, anything else means the database failed. */
  private RuntimeException failed(Connection c, ResourceKey key, String what, Exception cause) {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
    if (cause instanceof RuntimeException runtime && !(cause instanceof IllegalStateException)) {
      return runtime;
    }
    return unavailable(key, what, cause);
  }

  private StoreUnavailableException unavailable(ResourceKey key, String what, Exception cause) {
    String target = key == null ? "" : " " + key;
    String reason = rootMessage(cause);
    LOG.warn(
        "store: could not {}{} in PostgreSQL at {}: {}", what, target, options.where(), reason);
    return new StoreUnavailableException(
        key,
        "the PostgreSQL store at "
            + options.where()
            + " could not "
            + what
            + target
            + " ("
            + reason
            + "); retry when the database is reachable",
        cause);
  }

  /** The exception's message, with its root cause's when that says more. */
  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(e.getMessage());
    return root == e || root.getMessage() == null || message.contains(root.getMessage())
        ? message
        : message + ": " + root.getMessage();
  }

  /** PostgreSQL keeps microseconds: the copy must equal what a read gives back. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private final class Receiver implements ChangeFeed.Receiver {
    @Override
    public void received(List<Notice> notices, Connection connection) throws SQLException {
      PostgresResourceStore.this.received(notices, connection);
    }

    @Override
    public void catchUp(Connection connection, String reason) throws SQLException {
      PostgresResourceStore.this.catchUp(connection, reason);
    }
  }
}
