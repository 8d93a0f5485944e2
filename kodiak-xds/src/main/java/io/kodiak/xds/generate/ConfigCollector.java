package io.kodiak.xds.generate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects what the generators produce for one proxy, keyed by name (a later generator with the
 * same name replaces an earlier one's resource), and emits a {@link ProxyConfig} in stable order.
 * Not thread-safe: one per generation.
 */
final class ConfigCollector {
  private final Map<String, Listener> listeners = new TreeMap<>();
  private final Map<String, RouteConfiguration> routes = new TreeMap<>();
  private final Map<String, Cluster> clusters = new TreeMap<>();
  private final Map<String, ClusterLoadAssignment> endpoints = new TreeMap<>();
  private final Map<String, io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets = new TreeMap<>();

  void listener(Listener listener) {
    listeners.put(listener.getName(), listener);
  }

  void route(RouteConfiguration route) {
    routes.put(route.getName(), route);
  }

  void cluster(Cluster cluster) {
    clusters.put(cluster.getName(), cluster);
  }

  void endpoints(ClusterLoadAssignment assignment) {
    endpoints.put(assignment.getClusterName(), assignment);
  }

  void secret(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret secret) {
    secrets.put(secret.getName(), secret);
  }

  boolean hasCluster(String name) {
    return clusters.containsKey(name);
  }

  ProxyConfig build() {
    return ProxyConfig.of(List.copyOf(listeners.values()), List.copyOf(routes.values()),
        List.copyOf(clusters.values()), List.copyOf(endpoints.values()), List.copyOf(secrets.values()));
  }

}
