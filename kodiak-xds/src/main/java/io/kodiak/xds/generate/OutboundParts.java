package io.kodiak.xds.generate;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.mesh.MeshSnapshot.Derived;
import io.kodiak.xds.proxy.Outbound;
import io.kodiak.xds.proxy.ProxyKind;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The outbound parts of one mesh snapshot's proxies, each generated once and shared by every proxy
 * with the same key: the resources of one outbound as all plugins leave them, with their content
 * hashes. A mesh-wide change regenerates each service's outbound once per set of selecting policies
 * instead of once per caller. Lives as long as its snapshot. Thread-safe (the sync worker and
 * inspect threads generate from the same snapshot).
 */
final class OutboundParts {
  /** The key of a plugin that nothing of its type binds to the proxy. */
  static final Object UNBOUND = new Object();

  private final Map<Key, Part> parts = new ConcurrentHashMap<>();
  private final Map<Located, Part> located = new ConcurrentHashMap<>();
  private final Map<Key, Boolean> movable = new ConcurrentHashMap<>();

  /** A part for one exact outbound: moved from another address, or built for this one. */
  private record Located(Key key, Outbound outbound) {}

  private OutboundParts() {}

  /**
   * A snapshot's parts for one generator (its own {@code key}: parts of generators with other
   * plugins never mix).
   */
  static OutboundParts of(MeshSnapshot mesh, Derived<OutboundParts> key) {
    return mesh.derived(key);
  }

  /** A new key: each generator has its own. */
  static Derived<OutboundParts> newKey() {
    return new Derived<>(m -> new OutboundParts());
  }

  /**
   * Everything an outbound's resources depend on within one snapshot, but its {@code address:port}
   * (only its listener depends on that: see {@link OutboundRelocation}).
   *
   * @param pluginKeys each plugin's {@link PolicyPlugin.Bound#outboundKey}, or {@link #UNBOUND}, in
   *     plugin order
   */
  record Key(ProxyKind kind, boolean mtls, String service, List<Object> pluginKeys) {
    Key {
      pluginKeys = List.copyOf(pluginKeys);
    }
  }

  /**
   * One outbound's finished resources (for {@code outbound}), with the content hash of each
   * (identity-keyed: the same instances end up in every proxy that shares the part) and its
   * endpoints already stamped with their clusters' hashes. Immutable once built.
   */
  record Part(
      Outbound outbound,
      Map<String, Listener> listeners,
      Map<String, RouteConfiguration> routes,
      Map<String, Cluster> clusters,
      Map<String, ClusterLoadAssignment> endpoints,
      Map<String, String> serviceOfCluster,
      List<OutboundTarget> targets,
      IdentityHashMap<Message, String> hashes) {}

  /**
   * The part for {@code key} at {@code outbound}'s address: the first one built for the key ({@code
   * build} builds it for {@code outbound}), moved to this address if it was built for another, or
   * built for this address when it cannot be moved.
   */
  Part part(Key key, Outbound outbound, Function<Outbound, Part> build) {
    Part first = once(parts, key, () -> build.apply(outbound));
    if (first.outbound().equals(outbound)) {
      return first;
    }
    return once(
        located,
        new Located(key, outbound),
        () -> {
          boolean canMove = movable.computeIfAbsent(key, k -> OutboundRelocation.movable(first));
          return canMove ? OutboundRelocation.relocate(first, outbound) : build.apply(outbound);
        });
  }

  private static <K> Part once(Map<K, Part> map, K key, Supplier<Part> build) {
    Part part = map.get(key);
    if (part == null) {
      part = build.get(); // outside the map's lock; two threads may both build, one wins
      Part raced = map.putIfAbsent(key, part);
      part = raced == null ? part : raced;
    }
    return part;
  }
}
