package io.kodiak.store.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.core.ResourceMeta;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** A row of the resources table: the resource and the revision of its last write. */
record StoredRow(Resource resource, long revision) {
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

  /** The columns {@link #read} expects, in its order. */
  static final String COLUMNS =
      "type, mesh, name, version, creation_time, modification_time, labels, spec, revision";

  /** The row at the cursor; empty for a type this build does not know (a newer replica's). */
  static Optional<StoredRow> read(ResultSet rows) throws SQLException {
    Optional<ResourceType> type = ResourceCatalog.byName(rows.getString(1));
    if (type.isEmpty()) {
      return Optional.empty();
    }
    try {
      ResourceMeta meta =
          new ResourceMeta(
              rows.getLong(4),
              rows.getTimestamp(5).toInstant(),
              rows.getTimestamp(6).toInstant(),
              Documents.JSON.readValue(rows.getString(7), LABELS));
      ObjectNode spec = (ObjectNode) Documents.JSON.readTree(rows.getString(8));
      return Optional.of(
          new StoredRow(
              new Resource(
                  ResourceKey.of(type.get(), rows.getString(2), rows.getString(3)), meta, spec),
              rows.getLong(9)));
    } catch (JsonProcessingException | ClassCastException e) {
      throw new SQLException(
          "the stored " + rows.getString(1) + " " + rows.getString(3) + " is not valid JSON", e);
    }
  }

  /** Binds a resource key to three parameters from {@code first}: type, mesh, name. */
  static void bindKey(PreparedStatement st, int first, ResourceKey key) throws SQLException {
    st.setString(first, key.type().name());
    st.setString(first + 1, key.mesh());
    st.setString(first + 2, key.name());
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.from(instant);
  }

  static String json(Object value) {
    try {
      return Documents.JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write as JSON: " + e.getMessage(), e);
    }
  }
}
