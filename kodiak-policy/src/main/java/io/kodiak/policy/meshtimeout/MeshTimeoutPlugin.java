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
 * MeshTimeout: connectionTimeout on the cluster, idleTimeout on upstream connections (HTTP) or
 * the TCP proxy, and the http block on the connection manager (stream idle, request headers,
 * max connection duration) and on each route (request timeout, max stream duration). Outbounds
 * take {@code to[]} (a MeshHTTPRoute-targeted policy overrides on its routes); inbounds take
 * {@code from[]}/{@code rules[]}.
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
      RouteEdits.outbound(resources, target, route ->
          route(route, conf.then(rules.toRoute(route.getName(), target.service())).conf()));
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
    if (http && (conf.has("idleTimeout") || httpConf.has("maxConnectionDuration"))) {
      HttpProtocolOptions.Builder common = HttpProtocolOptions.newBuilder();
      if (conf.has("idleTimeout")) {
        common.setIdleTimeout(Values.duration(conf.path("idleTimeout")));
      }
      if (httpConf.has("maxConnectionDuration")) {
        common.setMaxConnectionDuration(Values.duration(httpConf.path("maxConnectionDuration")));
      }
      UpstreamOptions.edit(out, options -> options.setCommonHttpProtocolOptions(common));
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
    if (http.has("maxStreamDuration")) {
      action.setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder()
          .setMaxStreamDuration(Values.duration(http.path("maxStreamDuration"))));
    }
    return route.toBuilder().setRoute(action).build();
  }
}
