package io.kodiak.cp.insights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.codec.Documents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxies' insights as every replica saw them: this replica's from memory, the others' from the
 * shared store, merged into one list of subscriptions (each names the replica that held it). A
 * stream held by a replica that no longer runs shows as ended when that replica last wrote. When
 * the shared store cannot be read, this replica's own view is shown, and it is not asked again for
 * {@link #BACK_OFF}: while the database is away, every answer would otherwise first wait out the
 * pool's connection timeout. Thread-safe.
 */
public final class ClusterInsights {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterInsights.class);
  private static final int SHOWN_SUBSCRIPTIONS = 5;
  private static final Comparator<JsonNode> BY_CONNECT_TIME =
      Comparator.<JsonNode>comparingLong(s -> s.path("connectTime").path("seconds").asLong())
          .thenComparingLong(s -> s.path("connectTime").path("nanos").asLong());
  static final Duration BACK_OFF = Duration.ofSeconds(10);
  private final DataplaneInsights local;
  private final SharedInsights shared;
  private final Clock clock;
  private volatile Instant askAgainAt = Instant.MIN;

  public ClusterInsights(DataplaneInsights local, SharedInsights shared, Clock clock) {
    this.local = local;
    this.shared = shared;
    this.clock = clock;
  }

  /** Kuma's DataplaneInsight of each proxy named {@code mesh.name}, in the order asked. */
  public Map<String, ObjectNode> of(String mesh, List<String> names) {
    Map<String, List<JsonNode>> subscriptions = new LinkedHashMap<>();
    Map<String, String> nameOf = new HashMap<>();
    for (String name : names) {
      String key = DataplaneInsights.key(mesh, name);
      nameOf.put(key, name);
      List<JsonNode> list = new ArrayList<>();
      local.insight(mesh, name).ifPresent(i -> i.path("subscriptions").forEach(list::add));
      subscriptions.put(key, list);
    }
    try {
      List<SharedInsights.Remote> others =
          clock.instant().isBefore(askAgainAt) ? List.of() : shared.others(subscriptions.keySet());
      for (SharedInsights.Remote remote : others) {
        List<JsonNode> list = subscriptions.get(remote.nodeId());
        if (list != null) {
          for (JsonNode s : Documents.parse(remote.json()).path("subscriptions")) {
            if (!remote.replicaAlive() && !s.has("disconnectTime")) {
              ((ObjectNode) s).set("disconnectTime", Subscription.timestamp(remote.updatedAt()));
            }
            list.add(s);
          }
        }
      }
    } catch (Exception e) {
      askAgainAt = clock.instant().plus(BACK_OFF);
      LOG.debug(
          "insights: showing this replica's view only for {} s: {}",
          BACK_OFF.toSeconds(),
          e.toString());
    }
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    subscriptions.forEach(
        (key, list) -> {
          list.sort(BY_CONNECT_TIME);
          ObjectNode insight = JsonNodeFactory.instance.objectNode();
          ArrayNode array = insight.putArray("subscriptions");
          list.subList(Math.max(0, list.size() - SHOWN_SUBSCRIPTIONS), list.size())
              .forEach(array::add);
          out.put(nameOf.get(key), insight);
        });
    return out;
  }
}
