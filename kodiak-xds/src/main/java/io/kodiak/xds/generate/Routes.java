package io.kodiak.xds.generate;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.Protos;

/** Route configurations: one virtual host for any domain, everything to one cluster. */
final class Routes {
  private Routes() {}

  /** {@code routes} with RBAC rules that apply to every request on its one route. */
  static RouteConfiguration withRbac(RouteConfiguration routes, RBAC rules) {
    RBACPerRoute perRoute =
        RBACPerRoute.newBuilder()
            .setRbac(
                io.envoyproxy
                    .envoy
                    .extensions
                    .filters
                    .http
                    .rbac
                    .v3
                    .RBAC
                    .newBuilder()
                    .setRules(rules))
            .build();
    VirtualHost.Builder host = routes.getVirtualHosts(0).toBuilder();
    host.setRoutes(
        0,
        host.getRoutes(0).toBuilder()
            .putTypedPerFilterConfig(EnvoyNames.HTTP_RBAC_FILTER, Protos.pack(perRoute)));
    return routes.toBuilder().setVirtualHosts(0, host).build();
  }

  static RouteConfiguration allTo(String routeName, String virtualHost, String cluster) {
    return RouteConfiguration.newBuilder()
        .setName(routeName)
        .setValidateClusters(BoolValue.of(false))
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(virtualHost)
                .addDomains("*")
                .addRoutes(
                    Route.newBuilder()
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRoute(RouteAction.newBuilder().setCluster(cluster))))
        .build();
  }
}
