package io.kodiak.xds.generate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;

/** Route configurations: one virtual host for any domain, everything to one cluster. */
final class Routes {
  private Routes() {}

  static RouteConfiguration allTo(String routeName, String virtualHost, String cluster) {
    return RouteConfiguration.newBuilder()
        .setName(routeName)
        .setValidateClusters(com.google.protobuf.BoolValue.of(false))
        .addVirtualHosts(VirtualHost.newBuilder()
            .setName(virtualHost)
            .addDomains("*")
            .addRoutes(Route.newBuilder()
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster(cluster))))
        .build();
  }
}
