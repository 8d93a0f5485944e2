package io.kodiak.policy.meshtimeout;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.kodiak.policy.core.envoy.ClusterEdits;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.policy.core.envoy.RouteEdits;
import io.kodiak.policy.core.envoy.UpstreamOptions;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.Conf;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.InboundTarget;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * MeshTimeout: connectionTimeout on the cluster; idleTimeout, maxConnectionDuration and
 * maxStreamDuration on the cluster's upstream HTTP options (idleTimeout on the TCP proxy for TCP);
 * stream idle, request headers timeout, idle timeout and max connection duration on the connection
 * manager; the request timeout on each route. Outbounds take {@code to[]} (a MeshHTTPRoute-targeted
 * policy overrides requestTimeout and streamIdleTimeout on its routes); inbounds take {@code
 * from[]}/{@code rules[]}.
 *
 * <p>maxStreamDuration never goes on a route: a RouteAction {@code max_stream_duration} block
 * switches Envoy to its newer timeout model, which ignores the route {@code timeout} — with Kuma's
 * default policy (maxStreamDuration 0s) every requestTimeout would be dropped. Kuma puts it on the
 * cluster too (decision 12).
 */
final class MeshTimeoutPlugin implements PolicyModule.Plugin<MeshTimeoutConf> {
  @Override
  public void apply(ProxyResources resources, PolicyRules<MeshTimeoutConf> rules) {
    ClusterEdits.outbound(
        resources, rules, (cluster, conf, protocol) -> cluster(cluster, conf, protocol.isHttp()));
    ClusterEdits.inbound(
        resources, rules, (cluster, conf, protocol) -> cluster(cluster, conf, protocol.isHttp()));
    for (OutboundTarget target : resources.outbounds()) {
      Conf<MeshTimeoutConf> conf = rules.to(target.service());
      listener(resources, target.listener(), conf.value());
      RouteEdits.outbound(
          resources,
          target,
          route -> {
            Conf<MeshTimeoutConf> routeConf = rules.toRoute(route.getName(), target.service());
            return routeIdle(route(route, conf.then(routeConf).value()), routeConf.value());
          });
    }
    for (InboundTarget target : resources.inbounds()) {
      MeshTimeoutConf conf = rules.inbound(target.inbound()).value();
      listener(resources, target.listener(), conf);
      RouteEdits.inbound(resources, target, route -> route(route, conf));
    }
  }

  private static Cluster cluster(Cluster cluster, MeshTimeoutConf conf, boolean http) {
    Cluster.Builder out = cluster.toBuilder();
    set(conf.connectionTimeout(), d -> out.setConnectTimeout(Values.duration(d)));
    MeshTimeoutConf.Http timeouts = conf.httpOrNone();
    if (http
        && (conf.idleTimeout() != null
            || timeouts.maxConnectionDuration() != null
            || timeouts.maxStreamDuration() != null)) {
      UpstreamOptions.edit(
          out,
          options -> {
            HttpProtocolOptions.Builder common = options.getCommonHttpProtocolOptions().toBuilder();
            set(conf.idleTimeout(), d -> common.setIdleTimeout(Values.duration(d)));
            set(
                timeouts.maxConnectionDuration(),
                d -> common.setMaxConnectionDuration(Values.duration(d)));
            set(timeouts.maxStreamDuration(), d -> common.setMaxStreamDuration(Values.duration(d)));
            options.setCommonHttpProtocolOptions(common);
          });
    }
    return out.build();
  }

  private static void listener(ProxyResources resources, String name, MeshTimeoutConf conf) {
    Listener listener = resources.listeners().get(name);
    if (listener == null) {
      return;
    }
    MeshTimeoutConf.Http timeouts = conf.httpOrNone();
    listener =
        Hcms.editHcm(
            listener,
            hcm -> {
              HttpConnectionManager.Builder out = hcm.toBuilder();
              set(timeouts.streamIdleTimeout(), d -> out.setStreamIdleTimeout(Values.duration(d)));
              set(
                  timeouts.requestHeadersTimeout(),
                  d -> out.setRequestHeadersTimeout(Values.duration(d)));
              if (conf.idleTimeout() != null || timeouts.maxConnectionDuration() != null) {
                HttpProtocolOptions.Builder common = out.getCommonHttpProtocolOptions().toBuilder();
                set(conf.idleTimeout(), d -> common.setIdleTimeout(Values.duration(d)));
                set(
                    timeouts.maxConnectionDuration(),
                    d -> common.setMaxConnectionDuration(Values.duration(d)));
                out.setCommonHttpProtocolOptions(common);
              }
              return out.build();
            });
    if (conf.idleTimeout() != null) {
      listener =
          Hcms.editTcpProxy(
              listener,
              tcp -> tcp.toBuilder().setIdleTimeout(Values.duration(conf.idleTimeout())).build());
    }
    resources.listener(listener);
  }

  private static Route route(Route route, MeshTimeoutConf conf) {
    Duration timeout = conf.httpOrNone().requestTimeout();
    if (!route.hasRoute() || timeout == null) {
      return route; // redirects have no upstream to time out
    }
    return route.toBuilder()
        .setRoute(route.getRoute().toBuilder().setTimeout(Values.duration(timeout)))
        .build();
  }

  /**
   * A MeshHTTPRoute-targeted streamIdleTimeout: the route's idle timeout overrides the manager's.
   */
  private static Route routeIdle(Route route, MeshTimeoutConf routeConf) {
    Duration idle = routeConf.httpOrNone().streamIdleTimeout();
    return idle == null || !route.hasRoute()
        ? route
        : route.toBuilder()
            .setRoute(route.getRoute().toBuilder().setIdleTimeout(Values.duration(idle)))
            .build();
  }

  /** Applies a timeout the conf sets; an unset one leaves Envoy's value alone. */
  private static void set(Duration value, Consumer<Duration> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }
}
