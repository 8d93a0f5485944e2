package io.kodiak.store.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.core.ResourceMeta;
import io.kodiak.store.api.StoreUnavailableException;
import io.kodiak.store.memory.Persistence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Keeps resources in an SQLite database file in WAL mode. The file is opened exclusively, so a
 * second control plane on the same data directory fails fast instead of diverging; a damaged file
 * fails too, and the error says which of the two it is. Each call is one transaction. Not
 * thread-safe: the owning store serializes calls.
 */
final class SqlitePersistence implements Persistence {
  private static final Logger LOG = LoggerFactory.getLogger(SqlitePersistence.class);
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

  private final Connection connection;
  private final Path file;

  /**
   * Opens (creating if needed) the database at {@code file}.
   *
   * @param sync how hard each commit is flushed; see {@link SyncMode}
   */
  public SqlitePersistence(Path file, SyncMode sync) {
    this.file = file;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement s = connection.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=" + sync.name());
        s.execute("PRAGMA locking_mode=EXCLUSIVE");
        s.execute("PRAGMA busy_timeout=2000");
        s.execute(
            "CREATE TABLE IF NOT EXISTS resources (type TEXT NOT NULL, mesh TEXT NOT NULL, name TEXT NOT NULL,"
                + " version INTEGER NOT NULL, creation_time TEXT NOT NULL, modification_time TEXT NOT NULL,"
                + " labels TEXT NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (type, mesh, name))");
        s.execute(
            "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        // Taking the exclusive lock now makes a second process on the same file fail at start.
        s.execute("BEGIN EXCLUSIVE");
        s.execute("COMMIT");
      }
      connection.setAutoCommit(false);
    } catch (Exception e) {
      throw new StoreUnavailableException(
          null,
          "cannot open the embedded store at " + file + ": " + e.getMessage() + openHint(e),
          e);
    }
  }

  /**
   * Says what an open failure most likely means: a lock held by someone else, or a damaged file.
   */
  private static String openHint(Exception e) {
    if (!(e instanceof SQLiteException sqlite)) {
      return "";
    }
    return switch (SQLiteErrorCode.getErrorCode(sqlite.getResultCode().code & 0xff)) {
      case SQLITE_BUSY, SQLITE_LOCKED ->
          " (another control plane or process holds its lock: stop it, or give this one its own dataDir)";
      case SQLITE_NOTADB, SQLITE_CORRUPT ->
          " (the file is damaged: restore it from a backup, or move it away to start with an empty store)";
      default -> "";
    };
  }

  @Override
  public List<Resource> loadAll() {
    List<Resource> out = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rows =
            s.executeQuery(
                "SELECT type, mesh, name, version, creation_time, modification_time, labels, spec FROM resources")) {
      while (rows.next()) {
        Optional<ResourceType> type = ResourceCatalog.byName(rows.getString(1));
        if (type.isEmpty()) {
          LOG.warn(
              "embedded store: skipping a stored resource of unknown type {} named {}",
              rows.getString(1),
              rows.getString(3));
          continue;
        }
        ResourceMeta meta =
            new ResourceMeta(
                rows.getLong(4),
                Instant.parse(rows.getString(5)),
                Instant.parse(rows.getString(6)),
                Documents.JSON.readValue(rows.getString(7), LABELS));
        ObjectNode spec = (ObjectNode) Documents.JSON.readTree(rows.getString(8));
        out.add(
            new Resource(
                ResourceKey.of(type.get(), rows.getString(2), rows.getString(3)), meta, spec));
      }
      connection.commit();
    } catch (SQLException | JsonProcessingException e) {
      throw new StoreUnavailableException(
          null, "cannot read the embedded store " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public Map<String, String> loadSettings() {
    Map<String, String> out = new HashMap<>();
    try (Statement s = connection.createStatement();
        ResultSet rows = s.executeQuery("SELECT key, value FROM settings")) {
      while (rows.next()) {
        out.put(rows.getString(1), rows.getString(2));
      }
      connection.commit();
    } catch (SQLException e) {
      throw new StoreUnavailableException(
          null, "cannot read settings from " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public void insert(Resource resource) {
    write(
        resource.key(),
        "INSERT INTO resources (version, creation_time, modification_time, labels, spec, type,"
            + " mesh, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        resource);
  }

  @Override
  public void update(Resource resource) {
    write(
        resource.key(),
        "UPDATE resources SET version = ?, creation_time = ?, modification_time = ?, labels = ?,"
            + " spec = ? WHERE type = ? AND mesh = ? AND name = ?",
        resource);
  }

  @Override
  public void delete(List<ResourceKey> keys) {
    try (PreparedStatement st =
        connection.prepareStatement(
            "DELETE FROM resources WHERE type = ? AND mesh = ? AND name = ?")) {
      for (ResourceKey key : keys) {
        st.setString(1, key.type().name());
        st.setString(2, key.mesh());
        st.setString(3, key.name());
        st.addBatch();
      }
      st.executeBatch();
      connection.commit();
    } catch (SQLException e) {
      throw rollback(keys.isEmpty() ? null : keys.get(keys.size() - 1), "delete", e);
    }
  }

  @Override
  public void putSetting(String key, String value) {
    try (PreparedStatement st =
        connection.prepareStatement(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
      st.setString(1, key);
      st.setString(2, value);
      st.executeUpdate();
      connection.commit();
    } catch (SQLException e) {
      throw rollback(null, "write setting " + key, e);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("embedded store: closing {} failed: {}", file, e.getMessage());
    }
  }

  private void write(ResourceKey key, String sql, Resource resource) {
    try (PreparedStatement st = connection.prepareStatement(sql)) {
      st.setLong(1, resource.meta().version());
      st.setString(2, resource.meta().creationTime().toString());
      st.setString(3, resource.meta().modificationTime().toString());
      st.setString(4, Documents.JSON.writeValueAsString(resource.meta().labels()));
      st.setString(5, Documents.JSON.writeValueAsString(resource.spec()));
      st.setString(6, key.type().name());
      st.setString(7, key.mesh());
      st.setString(8, key.name());
      if (st.executeUpdate() != 1) {
        throw new SQLException("expected to write exactly one row");
      }
      connection.commit();
    } catch (SQLException | JsonProcessingException e) {
      throw rollback(key, "write", e);
    }
  }

  private StoreUnavailableException rollback(ResourceKey key, String what, Exception cause) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
    LOG.error(
        "embedded store: {} of {} failed, nothing was changed: {}", what, key, cause.getMessage());
    return new StoreUnavailableException(
        key, "the store could not " + what + " " + key + ": " + cause.getMessage(), cause);
  }
}
