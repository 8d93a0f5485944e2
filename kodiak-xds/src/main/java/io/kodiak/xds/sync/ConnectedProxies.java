package io.kodiak.xds.sync;

import io.kodiak.xds.proxy.ProxyKind;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The proxy registry: each connected node's mesh and kind, and what each was last given. A node id
 * is {@code mesh.name}, the name being its Dataplane's.
 *
 * <p>Thread-safe (concurrent maps). Connections are added and removed on gRPC stream threads and
 * read on the worker (weakly consistent iteration) and on inspect threads. Last configs are
 * written, read and removed only on the worker, so a node's record and its removal between two
 * generations cannot cross.
 */
final class ConnectedProxies {
  private final Map<String, Connection> connected = new ConcurrentHashMap<>(); // by node id
  private final Map<String, LastConfig> last = new ConcurrentHashMap<>(); // by node id; worker only

  /** A connected proxy. */
  record Connection(String nodeId, String mesh, ProxyKind kind) {}

  /**
   * A proxy's last config: its content version (unchanged ones are not published again), the
   * services its clusters reach (a change of their instances finds it) and what it was made from
   * (equal inputs are not generated again).
   */
  record LastConfig(String version, Set<String> reached, ProxyInputs inputs) {}

  static String nodeId(String mesh, String dataplane) {
    return mesh + "." + dataplane;
  }

  static String dataplaneName(String mesh, String nodeId) {
    return nodeId.substring(mesh.length() + 1);
  }

  void connect(String mesh, String nodeId, ProxyKind kind) {
    connected.put(nodeId, new Connection(nodeId, mesh, kind));
  }

  /** Removes a connection; what it was, if the node was connected. */
  Optional<Connection> disconnect(String nodeId) {
    return Optional.ofNullable(connected.remove(nodeId));
  }

  boolean isConnected(String nodeId) {
    return connected.containsKey(nodeId);
  }

  Optional<ProxyKind> kindOf(String nodeId) {
    return Optional.ofNullable(connected.get(nodeId)).map(Connection::kind);
  }

  /**
   * Every connection, as a live view (a proxy connecting or leaving meanwhile may or may not be in
   * it).
   */
  Collection<Connection> all() {
    return connected.values();
  }

  /** Worker only. */
  Optional<LastConfig> lastConfig(String nodeId) {
    return Optional.ofNullable(last.get(nodeId));
  }

  /** Worker only. */
  void recordLastConfig(String nodeId, LastConfig config) {
    last.put(nodeId, config);
  }

  /** Worker only, between generations (see {@link SnapshotSync#proxyDisconnected}). */
  void forgetLastConfig(String nodeId) {
    last.remove(nodeId);
  }
}
