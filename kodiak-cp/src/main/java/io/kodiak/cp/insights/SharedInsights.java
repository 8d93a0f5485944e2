package io.kodiak.cp.insights;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where replicas sharing a store exchange their proxies' insights (by node id {@code mesh.name}).
 * Implementations are thread-safe; a failure is an exception, and the caller retries or shows what
 * it has in memory.
 */
public interface SharedInsights {
  /** What another replica last wrote about a proxy, and whether that replica still runs. */
  record Remote(
      String nodeId, String replica, String json, Instant updatedAt, boolean replicaAlive) {}

  /** Stores this replica's view of these proxies and drops every replica's view of the deleted. */
  void write(Map<String, String> jsonByNode, Set<String> deleted) throws Exception;

  /** What the other replicas wrote about these proxies. */
  List<Remote> others(Collection<String> nodeIds) throws Exception;

  /** A control plane with a store of its own: nothing to share. */
  SharedInsights NONE =
      new SharedInsights() {
        @Override
        public void write(Map<String, String> jsonByNode, Set<String> deleted) {}

        @Override
        public List<Remote> others(Collection<String> nodeIds) {
          return List.of();
        }
      };
}
