package io.kodiak.policy.golden;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.xds.generate.ProxyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Generated settings that Envoy accepts and then silently ignores because another setting overrides
 * them: Envoy validates such a config, so only a check of the combination catches it. Each finding
 * names the resource and the setting that loses.
 */
final class IgnoredByEnvoy {
  private IgnoredByEnvoy() {}

  static List<String> findings(ProxyConfig config) {
    Map<String, Cluster> clusters =
        config.clusters().stream()
            .collect(Collectors.toMap(Cluster::getName, Function.identity(), (a, b) -> a));
    List<RouteConfiguration> routeConfigs = new ArrayList<>(config.routes());
    for (Listener listener : config.listeners()) {
      Hcms.editHcm(
          listener,
          hcm -> {
            if (hcm.hasRouteConfig()) {
              routeConfigs.add(hcm.getRouteConfig());
            }
            return hcm;
          });
    }
    List<String> out = new ArrayList<>();
    for (RouteConfiguration routes : routeConfigs) {
      Hcms.editRoutes(
          routes,
          route -> {
            check(routes.getName(), route, clusters, out);
            return route;
          });
    }
    return out;
  }

  private static void check(
      String config, Route route, Map<String, Cluster> clusters, List<String> out) {
    if (!route.hasRoute()) {
      return;
    }
    var action = route.getRoute();
    String where =
        config + " route {" + route.getMatch().toString().replace('\n', ' ').strip() + "}";
    // a max_stream_duration block switches the route to Envoy's newer timeout model: timeout is
    // ignored
    if (action.hasMaxStreamDuration() && action.hasTimeout()) {
      out.add(
          where
              + ": timeout {"
              + action.getTimeout().toString().replace('\n', ' ').strip()
              + "} is ignored next to max_stream_duration");
    }
    // hash policies only feed hashing load balancers
    if (action.getHashPolicyCount() > 0 && action.hasCluster()) {
      Cluster cluster = clusters.get(action.getCluster());
      if (cluster != null
          && cluster.getLbPolicy() != Cluster.LbPolicy.RING_HASH
          && cluster.getLbPolicy() != Cluster.LbPolicy.MAGLEV) {
        out.add(
            where
                + ": hash policies are ignored by the "
                + cluster.getLbPolicy()
                + " cluster "
                + cluster.getName());
      }
    }
  }
}
