package io.kodiak.xds.generate;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.CodecType;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.Protos;

/** The network filters of a filter chain: HTTP connection manager (router last) or TCP proxy. */
final class HttpFilters {
  private HttpFilters() {}

  /** An HTTP connection manager with its routes inline. */
  static Filter hcmInline(String statPrefix, RouteConfiguration routes) {
    return hcm(HttpConnectionManager.newBuilder().setStatPrefix(statPrefix).setRouteConfig(routes));
  }

  /**
   * An HTTP connection manager whose routes (carrying the RBAC rules per route) come over RDS, so a
   * permission change reaches open connections at once instead of waiting for a listener drain. The
   * RBAC filter itself has no rules; each route's per-filter config decides (403).
   */
  static Filter hcmRdsWithRbac(String statPrefix, String routeName) {
    var rbac = io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDefaultInstance();
    return hcm(
        HttpConnectionManager.newBuilder()
            .setStatPrefix(statPrefix)
            .setRds(Rds.newBuilder().setRouteConfigName(routeName).setConfigSource(Protos.ads()))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName(EnvoyNames.HTTP_RBAC_FILTER)
                    .setTypedConfig(Protos.pack(rbac))));
  }

  /** Network RBAC: closes connections from callers the rules do not allow. */
  static Filter networkRbac(String statPrefix, io.envoyproxy.envoy.config.rbac.v3.RBAC rules) {
    var rbac =
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .network
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setStatPrefix(statPrefix)
            .setRules(rules)
            .build();
    return Filter.newBuilder()
        .setName(EnvoyNames.NETWORK_RBAC_FILTER)
        .setTypedConfig(Protos.pack(rbac))
        .build();
  }

  /** An HTTP connection manager that fetches its routes over ADS (RDS). */
  static Filter hcmRds(String statPrefix, String routeName) {
    return hcm(
        HttpConnectionManager.newBuilder()
            .setStatPrefix(statPrefix)
            .setRds(Rds.newBuilder().setRouteConfigName(routeName).setConfigSource(Protos.ads())));
  }

  static Filter tcpProxy(String statPrefix, String cluster) {
    TcpProxy proxy = TcpProxy.newBuilder().setStatPrefix(statPrefix).setCluster(cluster).build();
    return Filter.newBuilder()
        .setName(EnvoyNames.TCP_PROXY_FILTER)
        .setTypedConfig(Protos.pack(proxy))
        .build();
  }

  private static Filter hcm(HttpConnectionManager.Builder builder) {
    HttpConnectionManager hcm =
        builder
            .setCodecType(CodecType.AUTO)
            // the router must be last (grpc-xds checks it too)
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName(EnvoyNames.ROUTER_FILTER)
                    .setTypedConfig(Protos.pack(Router.getDefaultInstance())))
            .build();
    return Filter.newBuilder()
        .setName(EnvoyNames.HCM_FILTER)
        .setTypedConfig(Protos.pack(hcm))
        .build();
  }
}
