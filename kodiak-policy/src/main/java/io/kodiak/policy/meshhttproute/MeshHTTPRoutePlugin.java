package io.kodiak.policy.meshhttproute;

import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.Entry;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.policy.core.rules.RouteRules;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import java.util.List;

/**
 * MeshHTTPRoute: replaces an HTTP outbound's single catch-all route with the routes of its rules,
 * most specific match first, and a catch-all to the service itself last. Each Envoy route is named
 * after the MeshHTTPRoute it came from, so policies targeting that route find it.
 */
final class MeshHTTPRoutePlugin implements PolicyModule.Plugin<JsonNode> {
  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    if (rules.matched().isEmpty()) {
      return;
    }
    for (OutboundTarget target : resources.outbounds()) {
      if (!target.protocol().isHttp() || target.routeConfig().isEmpty()) {
        continue;
      }
      List<Entry<JsonNode>> entries = rules.toEntries(target.service());
      if (entries.isEmpty()) {
        continue;
      }
      resources.shapeRoutes(target.service());
      RouteConfiguration existing = resources.routes().get(target.routeConfig().get());
      VirtualHost.Builder host = existing.getVirtualHosts(0).toBuilder().clearRoutes();
      boolean catchAll = false;
      for (RouteRules.MatchRule rule : RouteRules.of(entries)) {
        Route route = EnvoyRoutes.route(rule, target.service(), resources);
        host.addRoutes(route);
        catchAll |= isCatchAll(route);
      }
      if (!catchAll) {
        host.addRoutes(
            existing.getVirtualHosts(0).getRoutes(0)); // unmatched requests still reach the service
      }
      resources.route(existing.toBuilder().setVirtualHosts(0, host).build());
    }
  }

  private static boolean isCatchAll(Route route) {
    return route.getMatch().getPrefix().equals("/")
        && route.getMatch().getHeadersCount() == 0
        && route.getMatch().getQueryParametersCount() == 0;
  }
}
