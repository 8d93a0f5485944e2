package io.kodiak.store.postgres;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Proxies' insights in the shared database: each replica writes what it saw of the streams it held,
 * and reads what the others saw. The JSON is opaque here. Thread-safe.
 */
public final class PostgresInsights {
  /** What another replica last wrote about a proxy, and whether that replica is still running. */
  public record Row(
      String nodeId, String replica, String json, Instant updatedAt, boolean replicaAlive) {}

  private final DataSource pool;
  private final String replica;

  PostgresInsights(DataSource pool, String replica) {
    this.pool = pool;
    this.replica = replica;
  }

  /** Stores this replica's view of each proxy ({@code node id -> JSON}) in one transaction. */
  public void write(Map<String, String> jsonByNode) throws SQLException {
    if (jsonByNode.isEmpty()) {
      return;
    }
    try (Connection c = pool.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "INSERT INTO dataplane_insights (node_id, replica, insight) VALUES (?, ?,"
                    + " ?::jsonb) ON CONFLICT (node_id, replica) DO UPDATE SET insight ="
                    + " excluded.insight, updated_at = now()")) {
      try {
        for (var entry : jsonByNode.entrySet()) {
          st.setString(1, entry.getKey());
          st.setString(2, replica);
          st.setString(3, entry.getValue());
          st.addBatch();
        }
        st.executeBatch();
        // a replica id is new at every start: the rows of replicas gone are dropped once the
        // proxy has a row here, so they do not pile up over restarts
        try (PreparedStatement gone =
            c.prepareStatement(
                "DELETE FROM dataplane_insights WHERE node_id = ANY(?) AND replica <> ? AND"
                    + " left('kodiak-cp-leader ' || replica, 63) NOT IN (SELECT application_name"
                    + " FROM pg_stat_activity WHERE application_name IS NOT NULL)")) {
          gone.setArray(1, c.createArrayOf("text", jsonByNode.keySet().toArray()));
          gone.setString(2, replica);
          gone.executeUpdate();
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** What the other replicas wrote about these proxies. */
  public List<Row> others(Collection<String> nodeIds) throws SQLException {
    List<Row> out = new ArrayList<>();
    if (nodeIds.isEmpty()) {
      return out;
    }
    try (Connection c = pool.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT node_id, replica, insight::text, updated_at, left('kodiak-cp-leader ' ||"
                    + " replica, 63) IN (SELECT application_name FROM pg_stat_activity) FROM"
                    + " dataplane_insights WHERE node_id = ANY(?) AND replica <> ?")) {
      Array ids = c.createArrayOf("text", nodeIds.toArray());
      st.setArray(1, ids);
      st.setString(2, replica);
      try (ResultSet rows = st.executeQuery()) {
        while (rows.next()) {
          out.add(
              new Row(
                  rows.getString(1),
                  rows.getString(2),
                  rows.getString(3),
                  rows.getTimestamp(4).toInstant(),
                  rows.getBoolean(5)));
        }
      }
      c.commit();
      return out;
    }
  }

  /** Drops every replica's insight of a proxy whose Dataplane was deleted. */
  public void forget(String nodeId) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement st =
            c.prepareStatement("DELETE FROM dataplane_insights WHERE node_id = ?")) {
      st.setString(1, nodeId);
      st.executeUpdate();
      c.commit();
    }
  }
}
