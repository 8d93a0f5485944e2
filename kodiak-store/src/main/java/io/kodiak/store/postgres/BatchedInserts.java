package io.kodiak.store.postgres;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Creates from concurrent callers, inserted together: every create waiting when the previous
 * statement finishes goes into the next one, which is one transaction. PostgreSQL serialises the
 * commits of transactions that NOTIFY (the announcing trigger does) through their WAL flush, so one
 * commit per create caps a replica at a few hundred creates a second; one per batch does not. Each
 * row keeps its own outcome (ON CONFLICT DO NOTHING, its Mesh checked under a key-share lock); a
 * statement that fails fails only the creates in it, none of which was stored. Nothing waits on a
 * timer: an idle thread blocks on the queue, and a lone create goes alone. Thread-safe.
 */
final class BatchedInserts implements AutoCloseable {
  private static final int MAX_ROWS = 256;
  private static final String MESH = ResourceCatalog.MESH.name();
  private static final String INSERT =
      "INSERT INTO resources (type, mesh, name, version, creation_time, modification_time, labels,"
          + " spec) SELECT v.type, v.mesh, v.name, 1, v.created::timestamptz,"
          + " v.created::timestamptz, v.labels, v.spec FROM unnest(?::text[], ?::text[],"
          + " ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[]) AS v(type, mesh, name,"
          + " created, labels, spec, scoped) WHERE NOT v.scoped OR EXISTS (SELECT 1 FROM"
          + " resources m WHERE m.type = '"
          + MESH
          + "' AND m.mesh = '' AND m.name = v.mesh FOR KEY SHARE) ON CONFLICT DO NOTHING"
          + " RETURNING type, mesh, name, revision";

  private record Pending(Resource row, CompletableFuture<Optional<Long>> revision) {}

  private final DataSource pool;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  BatchedInserts(DataSource pool) {
    this.pool = pool;
    this.thread = new Thread(this::run, "postgres-inserts");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Inserts {@code row} (its meta as it is to be stored); its revision, or empty when a row has its
   * key or its Mesh does not exist.
   */
  Optional<Long> insert(Resource row) throws SQLException {
    Pending pending = new Pending(row, new CompletableFuture<>());
    queue.add(pending);
    if (closed) { // the thread may have drained its queue for the last time
      queue.remove(pending);
      pending.revision().completeExceptionally(new SQLException("the store is closed"));
    }
    try {
      return pending.revision().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw new IllegalStateException("the insert of " + row.key() + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while " + row.key() + " was being inserted", e);
    }
  }

  private void run() {
    List<Pending> deferred = new ArrayList<>();
    try {
      while (!Thread.currentThread().isInterrupted()) {
        List<Pending> taken = new ArrayList<>(deferred);
        deferred.clear();
        if (taken.isEmpty()) {
          taken.add(queue.take());
        }
        queue.drainTo(taken, MAX_ROWS - taken.size());
        // one row per key in a statement: a second create of the key goes in the next one, where
        // it finds the first; keys in one order, so replicas' statements never deadlock
        Map<ResourceKey, Pending> batch = new TreeMap<>(BY_KEY);
        for (Pending p : taken) {
          if (batch.putIfAbsent(p.row().key(), p) != null) {
            deferred.add(p);
          }
        }
        try {
          insertAll(batch);
        } catch (Throwable t) { // nothing may leave a caller waiting forever
          failAll(batch.values(), new SQLException("the insert failed: " + t, t));
          if (t instanceof Error error) {
            throw error;
          }
        }
      }
    } catch (InterruptedException e) {
      // closing
    } finally {
      closed = true;
      failAll(deferred, new SQLException("the store is closing"));
      List<Pending> left = new ArrayList<>();
      queue.drainTo(left);
      failAll(left, new SQLException("the store is closing"));
    }
  }

  private static final Comparator<ResourceKey> BY_KEY =
      Comparator.comparing((ResourceKey k) -> k.type().name())
          .thenComparing(ResourceKey::mesh)
          .thenComparing(ResourceKey::name);

  /**
   * Inserts the batch in one statement. A statement refused for its content (not for a lost
   * connection) is tried again one row at a time, so one bad row fails only its own create.
   */
  private void insertAll(Map<ResourceKey, Pending> batch) {
    try {
      Map<ResourceKey, Long> inserted =
          statement(batch.values().stream().map(Pending::row).toList());
      batch.forEach((key, p) -> p.revision().complete(Optional.ofNullable(inserted.get(key))));
    } catch (SQLException e) {
      boolean connectionLost = e.getSQLState() != null && e.getSQLState().startsWith("08");
      if (batch.size() == 1 || connectionLost || e.getSQLState() == null) {
        failAll(batch.values(), e);
        return;
      }
      for (Pending p : batch.values()) {
        try {
          p.revision()
              .complete(Optional.ofNullable(statement(List.of(p.row())).get(p.row().key())));
        } catch (SQLException alone) {
          p.revision().completeExceptionally(alone);
        }
      }
    }
  }

  private Map<ResourceKey, Long> statement(List<Resource> rows) throws SQLException {
    Map<ResourceKey, Long> inserted = new HashMap<>();
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(true); // the statement is the transaction
      try (PreparedStatement st = c.prepareStatement(INSERT)) {
        st.setArray(1, c.createArrayOf("text", column(rows, r -> r.type().name())));
        st.setArray(2, c.createArrayOf("text", column(rows, Resource::mesh)));
        st.setArray(3, c.createArrayOf("text", column(rows, Resource::name)));
        st.setArray(
            4, c.createArrayOf("text", column(rows, r -> r.meta().creationTime().toString())));
        st.setArray(
            5, c.createArrayOf("text", column(rows, r -> StoredRow.json(r.meta().labels()))));
        st.setArray(6, c.createArrayOf("text", column(rows, r -> StoredRow.json(r.spec()))));
        st.setArray(
            7,
            c.createArrayOf(
                "boolean",
                rows.stream().map(r -> r.type().isMeshScoped()).toArray(Boolean[]::new)));
        try (ResultSet result = st.executeQuery()) {
          while (result.next()) {
            ResourceCatalog.byName(result.getString(1))
                .ifPresent(
                    type -> {
                      try {
                        inserted.put(
                            ResourceKey.of(type, result.getString(2), result.getString(3)),
                            result.getLong(4));
                      } catch (SQLException e) {
                        throw new IllegalStateException(e);
                      }
                    });
          }
        }
      }
    } catch (RuntimeException e) {
      throw new SQLException(e.getMessage(), e);
    }
    return inserted;
  }

  private static String[] column(List<Resource> rows, Function<Resource, String> f) {
    return rows.stream().map(f).toArray(String[]::new);
  }

  private static void failAll(Iterable<Pending> pending, SQLException failure) {
    for (Pending p : pending) {
      p.revision().completeExceptionally(failure);
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
