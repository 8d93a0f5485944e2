package io.kodiak.policy.meshtimeout;

import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.kodiak.policy.core.envoy.ClusterEdits;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.policy.core.envoy.RouteEdits;
import io.kodiak.policy.core.envoy.UpstreamOptions;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.rules.Conf;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.PolicyPlugin;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.InboundTarget;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;

/**
 * MeshTimeout: connectionTimeout on the cluster; idleTimeout, maxConnectionDuration and
 * maxStreamDuration on the cluster's upstream HTTP options (idleTimeout on the TCP proxy for
 * TCP); stream idle, request headers timeout, idle timeout and max connection duration on the
 * connection manager; the request timeout on each route. Outbounds take {@code to[]} (a
 * MeshHTTPRoute-targeted policy overrides requestTimeout and streamIdleTimeout on its routes);
 * inbounds take {@code from[]}/{@code rules[]}.
 *
 * <p>maxStreamDuration never goes on a route: a RouteAction {@code max_stream_duration} block
 * switches Envoy to its newer timeout model, which ignores the route {@code timeout} — with
 * Kuma's default policy (maxStreamDuration 0s) every requestTimeout would be dropped. Kuma puts
 * it on the cluster too (decision 12).
 */
public final class MeshTimeoutPlugin implements PolicyPlugin {
  @Override
  public void apply(ProxyResources resources) {
    PolicyRules rules = PolicyRules.of("MeshTimeout", resources.mesh(), resources.proxy());
    if (rules.matched().isEmpty() && rules.routeTargeted().isEmpty()) {
      return;
    }
    ClusterEdits.outbound(resources, rules, (cluster, conf, protocol) -> cluster(cluster, conf, protocol.isHttp()));
    ClusterEdits.inbound(resources, rules, (cluster, conf, protocol) -> cluster(cluster, conf, protocol.isHttp()));
    for (OutboundTarget target : resources.outbounds()) {
      Conf conf = rules.to(target.service());
      listener(resources, target.listener(), conf.conf());
      RouteEdits.outbound(resources, target, route -> {
        Conf routeConf = rules.toRoute(route.getName(), target.service());
        return routeIdle(route(route, conf.then(routeConf).conf()), routeConf.conf());
      });
    }
    for (InboundTarget target : resources.inbounds()) {
      JsonNode conf = rules.inbound(target.inbound()).conf();
      listener(resources, target.listener(), conf);
      RouteEdits.inbound(resources, target, route -> route(route, conf));
    }
  }

  private static Cluster cluster(Cluster cluster, JsonNode conf, boolean http) {
    Cluster.Builder out = cluster.toBuilder();
    if (conf.has("connectionTimeout")) {
      out.setConnectTimeout(Values.duration(conf.path("connectionTimeout")));
    }
    JsonNode httpConf = conf.path("http");
    if (http && (conf.has("idleTimeout") || httpConf.has("maxConnectionDuration") || httpConf.has("maxStreamDuration"))) {
      UpstreamOptions.edit(out, options -> {
        HttpProtocolOptions.Builder common = options.getCommonHttpProtocolOptions().toBuilder();
        if (conf.has("idleTimeout")) {
          common.setIdleTimeout(Values.duration(conf.path("idleTimeout")));
        }
        if (httpConf.has("maxConnectionDuration")) {
          common.setMaxConnectionDuration(Values.duration(httpConf.path("maxConnectionDuration")));
        }
        if (httpConf.has("maxStreamDuration")) {
          common.setMaxStreamDuration(Values.duration(httpConf.path("maxStreamDuration")));
        }
        options.setCommonHttpProtocolOptions(common);
      });
    }
    return out.build();
  }

  private static void listener(ProxyResources resources, String name, JsonNode conf) {
    Listener listener = resources.listeners().get(name);
    if (listener == null) {
      return;
    }
    JsonNode http = conf.path("http");
    listener = Hcms.editHcm(listener, hcm -> {
      HttpConnectionManager.Builder out = hcm.toBuilder();
      if (http.has("streamIdleTimeout")) {
        out.setStreamIdleTimeout(Values.duration(http.path("streamIdleTimeout")));
      }
      if (http.has("requestHeadersTimeout")) {
        out.setRequestHeadersTimeout(Values.duration(http.path("requestHeadersTimeout")));
      }
      if (conf.has("idleTimeout") || http.has("maxConnectionDuration")) {
        HttpProtocolOptions.Builder common = out.getCommonHttpProtocolOptions().toBuilder();
        if (conf.has("idleTimeout")) {
          common.setIdleTimeout(Values.duration(conf.path("idleTimeout")));
        }
        if (http.has("maxConnectionDuration")) {
          common.setMaxConnectionDuration(Values.duration(http.path("maxConnectionDuration")));
        }
        out.setCommonHttpProtocolOptions(common);
      }
      return out.build();
    });
    if (conf.has("idleTimeout")) {
      listener = Hcms.editTcpProxy(listener, tcp -> tcp.toBuilder()
          .setIdleTimeout(Values.duration(conf.path("idleTimeout"))).build());
    }
    resources.listener(listener);
  }

  private static Route route(Route route, JsonNode conf) {
    if (!route.hasRoute()) {
      return route; // redirects have no upstream to time out
    }
    JsonNode http = conf.path("http");
    RouteAction.Builder action = route.getRoute().toBuilder();
    if (http.has("requestTimeout")) {
      action.setTimeout(Values.duration(http.path("requestTimeout")));
    }
    return route.toBuilder().setRoute(action).build();
  }

  /** A MeshHTTPRoute-targeted streamIdleTimeout: the route's idle timeout overrides the manager's. */
  private static Route routeIdle(Route route, JsonNode routeConf) {
    JsonNode idle = routeConf.path("http").path("streamIdleTimeout");
    return idle.isMissingNode() || !route.hasRoute() ? route
        : route.toBuilder().setRoute(route.getRoute().toBuilder().setIdleTimeout(Values.duration(idle))).build();
  }
}
