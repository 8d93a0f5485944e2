package io.kodiak.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Which replica holds which proxy, in the shared database, so no replica deletes the Dataplane of a
 * proxy that moved to another one. Thread-safe.
 */
public final class PostgresProxyPresence {
  private final DataSource pool;
  private final String replica;

  PostgresProxyPresence(DataSource pool, String replica) {
    this.pool = pool;
    this.replica = replica;
  }

  /** This replica holds {@code nodeId} now (it takes the proxy over from any other). */
  public void connected(String nodeId) throws SQLException {
    update(
        "INSERT INTO proxy_connections (node_id, replica) VALUES (?, ?) ON CONFLICT (node_id)"
            + " DO UPDATE SET replica = excluded.replica, since = now()",
        nodeId);
  }

  /** This replica's stream of {@code nodeId} ended (a row another replica wrote since stays). */
  public void disconnected(String nodeId) throws SQLException {
    update("DELETE FROM proxy_connections WHERE node_id = ? AND replica = ?", nodeId);
  }

  /** The other live replica holding {@code nodeId}, if one does. */
  public Optional<String> heldElsewhere(String nodeId) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT replica FROM proxy_connections WHERE node_id = ? AND replica <> ? AND"
                    + " left('kodiak-cp-leader ' || replica, 63) IN"
                    + " (SELECT application_name FROM pg_stat_activity)")) {
      st.setString(1, nodeId);
      st.setString(2, replica);
      try (ResultSet rows = st.executeQuery()) {
        Optional<String> holder = rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
        c.commit();
        return holder;
      }
    }
  }

  private void update(String sql, String nodeId) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement st = c.prepareStatement(sql)) {
      st.setString(1, nodeId);
      st.setString(2, replica);
      st.executeUpdate();
      c.commit();
    }
  }
}
