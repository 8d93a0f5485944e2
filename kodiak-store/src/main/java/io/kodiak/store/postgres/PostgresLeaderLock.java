package io.kodiak.store.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election among replicas on one database: the leader is the session holding one advisory
 * lock. A follower waits for the lock inside PostgreSQL (no polling), so it is elected as soon as
 * the leader's session ends: a clean stop, {@code kill -9} (the kernel closes its socket) or, on a
 * network partition, the server's keepalive giving up on it (about 10 s, set per session). The
 * leader checks its session every {@link #CHECK_MILLIS} and steps down when it is gone, before the
 * server lets another replica lead.
 *
 * <p>Thread-safety: one thread of its own calls the candidate; {@link #close} from any thread.
 */
public final class PostgresLeaderLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresLeaderLock.class);

  /** The advisory lock's key: "kodiak" in ASCII. */
  static final long KEY = 0x6b6f6469616bL;

  static final int CHECK_MILLIS = 2_000;
  private static final long MAX_BACKOFF_MS = 2_000;

  /** Told when this replica starts and stops leading. */
  public interface Candidate {
    void elected();

    void deposed();
  }

  private final PostgresOptions options;
  private final String instance;
  private final Candidate candidate;
  private final Thread thread;
  private volatile boolean closed;
  private volatile Connection connection;
  private volatile Statement waiting;

  private PostgresLeaderLock(PostgresOptions options, String instance, Candidate candidate) {
    this.options = options;
    this.instance = instance;
    this.candidate = candidate;
    this.thread = new Thread(this::run, "postgres-leader-lock");
    this.thread.setDaemon(true);
  }

  /** Enters the election; {@code candidate} hears the outcome on the election's thread. */
  public static PostgresLeaderLock join(
      PostgresOptions options, String instance, Candidate candidate) {
    PostgresLeaderLock lock = new PostgresLeaderLock(options, instance, candidate);
    lock.thread.start();
    return lock;
  }

  private void run() {
    long backoff = 50;
    while (!closed) {
      boolean leading = false;
      try (Connection c = connect()) {
        connection = c;
        try (Statement st = c.createStatement()) {
          waiting = st;
          st.execute("SELECT pg_advisory_lock(" + KEY + ")"); // returns when this session holds it
          waiting = null;
        }
        if (closed) {
          return;
        }
        leading = true;
        LOG.info("leader election: {} leads (PostgreSQL lock at {})", instance, options.where());
        candidate.elected();
        backoff = 50;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          pg.getNotifications(CHECK_MILLIS); // a closed socket ends this at once
          try (Statement st = c.createStatement()) {
            st.execute("SELECT 1");
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          break;
        }
        if (leading) {
          LOG.warn(
              "leader election: {} lost its PostgreSQL session ({}); stops leading and competes again",
              instance,
              e.getMessage());
        } else {
          LOG.debug("leader election: cannot wait for the lock: {}", e.getMessage());
        }
      } finally {
        connection = null;
        if (leading) {
          candidate.deposed();
        }
      }
      sleep(backoff);
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }

  private Connection connect() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", options.user());
    props.setProperty("password", options.password());
    props.setProperty("ApplicationName", "kodiak-cp-leader " + instance);
    props.setProperty(
        "connectTimeout", String.valueOf(Math.max(1, options.connectionTimeout().toSeconds())));
    Connection c = DriverManager.getConnection(options.jdbcUrl(), props);
    try (Statement st = c.createStatement()) {
      // the server drops a vanished leader's session (and its lock) after about 10 s
      st.execute("SET tcp_keepalives_idle = 4");
      st.execute("SET tcp_keepalives_interval = 2");
      st.execute("SET tcp_keepalives_count = 3");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  /** Leaves the election: a leader's lock is released with its session. */
  @Override
  public void close() {
    closed = true;
    Statement st = waiting;
    if (st != null) {
      try {
        st.cancel();
      } catch (SQLException e) {
        // closing the connection below ends the wait too
      }
    }
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // already gone
      }
    }
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
