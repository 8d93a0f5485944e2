package io.kodiak.store.postgres;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.core.ResourceKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on {@code kodiak_resources} on a connection of its own and hands each batch of
 * announcements to the store, with that connection to read the rows through. After the connection
 * is lost (database restart, network) it reconnects with backoff and asks the store to catch up by
 * reading everything, so a notification missed meanwhile never loses a change.
 *
 * <p>Thread-safety: one thread of its own; {@link #close} from any thread.
 */
final class ChangeFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
  static final String CHANNEL = "kodiak_resources";
  private static final long MAX_BACKOFF_MS = 2_000;

  /** One announcement: a row written (with its new revision) or deleted (after revision). */
  record Notice(boolean deleted, long revision, ResourceKey key) {}

  /** What the store does with the feed's connection. */
  interface Receiver {
    void received(List<Notice> notices, Connection connection) throws SQLException;

    /** Reads everything; {@code reason} says why, for the log. */
    void catchUp(Connection connection, String reason) throws SQLException;
  }

  private final PostgresOptions options;
  private final Receiver receiver;
  private final Thread thread;
  private volatile Connection connection;
  private volatile boolean closed;

  ChangeFeed(PostgresOptions options, Receiver receiver) {
    this.options = options;
    this.receiver = receiver;
    this.thread = new Thread(this::run, "postgres-change-feed");
    this.thread.setDaemon(true);
  }

  /** Connects, listens and catches up before returning, so the store starts complete. */
  void start() throws SQLException {
    connection = listen();
    receiver.catchUp(connection, "start");
    thread.start();
  }

  private Connection listen() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", options.user());
    props.setProperty("password", options.password());
    props.setProperty("ApplicationName", "kodiak-cp-changes");
    props.setProperty(
        "connectTimeout", String.valueOf(Math.max(1, options.connectionTimeout().toSeconds())));
    Connection c = DriverManager.getConnection(options.jdbcUrl(), props);
    try (Statement s = c.createStatement()) {
      s.execute("LISTEN " + CHANNEL);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private void run() {
    while (!closed) {
      try {
        PGNotification[] batch = connection.unwrap(PGConnection.class).getNotifications(0);
        if (batch != null && batch.length > 0) {
          receiver.received(parse(batch), connection);
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        reconnect(e);
      }
    }
  }

  private void reconnect(Exception cause) {
    LOG.warn(
        "store: lost the PostgreSQL change feed at {} ({}); reconnecting, changes made meanwhile"
            + " are read when it is back",
        options.where(),
        cause.getMessage());
    closeQuietly(connection);
    long backoff = 50;
    while (!closed) {
      try {
        Connection c = listen();
        connection = c;
        receiver.catchUp(c, "reconnect");
        return;
      } catch (SQLException | RuntimeException e) {
        LOG.debug("store: change feed still down: {}", e.getMessage());
        closeQuietly(connection);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
  }

  static List<Notice> parse(PGNotification[] batch) {
    List<Notice> out = new ArrayList<>(batch.length);
    for (PGNotification n : batch) {
      String[] parts = n.getParameter().split("\t", -1);
      if (parts.length != 5) {
        LOG.warn("store: ignoring a malformed announcement on {}", CHANNEL);
        continue;
      }
      Optional<ResourceType> type = ResourceCatalog.byName(parts[2]);
      if (type.isEmpty()) {
        continue; // a type this build does not serve (a newer replica's)
      }
      try {
        out.add(
            new Notice(
                parts[0].equals("D"),
                Long.parseLong(parts[1]),
                ResourceKey.of(type.get(), parts[3], parts[4])));
      } catch (RuntimeException e) {
        LOG.warn("store: ignoring a malformed announcement on {}: {}", CHANNEL, e.getMessage());
      }
    }
    return out;
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // already gone
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(connection);
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
