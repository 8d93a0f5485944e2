package io.kodiak.xds.generate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;

/** Route configurations: one virtual host for any domain, everything to one cluster. */
final class Routes {
  private Routes() {}

  /** Like {@link #allTo} with RBAC rules that apply to every request on the route. */
  static RouteConfiguration allToChecked(String routeName, String virtualHost, String cluster,
      io.envoyproxy.envoy.config.rbac.v3.RBAC rules) {
    RouteConfiguration plain = allTo(routeName, virtualHost, cluster);
    var perRoute = io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute.newBuilder()
        .setRbac(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder().setRules(rules)).build();
    var host = plain.getVirtualHosts(0).toBuilder();
    host.setRoutes(0, host.getRoutes(0).toBuilder()
        .putTypedPerFilterConfig(io.kodiak.xds.envoy.EnvoyNames.HTTP_RBAC_FILTER,
            io.kodiak.xds.envoy.Protos.pack(perRoute)));
    return plain.toBuilder().setVirtualHosts(0, host).build();
  }

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
