package io.kodiak.policy.core.envoy;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.InboundTarget;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import java.util.function.UnaryOperator;

/** Edits the HTTP routes of one inbound or outbound, wherever they live (RDS or inline). */
public final class RouteEdits {
  private RouteEdits() {}

  public static void outbound(
      ProxyResources resources, OutboundTarget target, UnaryOperator<Route> edit) {
    target
        .routeConfig()
        .ifPresent(
            name -> {
              RouteConfiguration config = resources.routes().get(name);
              if (config != null) {
                resources.route(Hcms.editRoutes(config, edit));
              }
            });
  }

  public static void inbound(
      ProxyResources resources, InboundTarget target, UnaryOperator<Route> edit) {
    target
        .routeConfig()
        .ifPresent(
            name -> {
              RouteConfiguration config = resources.routes().get(name);
              if (config != null) {
                resources.route(Hcms.editRoutes(config, edit));
              }
            });
    Listener listener = resources.listeners().get(target.listener());
    if (listener != null) {
      resources.listener(
          Hcms.editHcm(
              listener,
              hcm ->
                  hcm.hasRouteConfig()
                      ? hcm.toBuilder()
                          .setRouteConfig(Hcms.editRoutes(hcm.getRouteConfig(), edit))
                          .build()
                      : hcm));
    }
  }
}
