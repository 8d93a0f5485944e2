package io.kodiak.xds.generate;

import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.Protos;
import io.kodiak.xds.proxy.Outbound;
import io.kodiak.xds.proxy.Protocol;
import io.kodiak.xds.proxy.ProxyKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * For each declared outbound: a listener on {@code address:port}, an EDS cluster for the service
 * and its endpoints. Only declared outbounds get clusters, so a proxy's config is scoped to what it
 * can reach. Route policies reshape these afterwards.
 */
final class OutboundGenerator {
  private OutboundGenerator() {}

  static void generate(ProxyResources out, List<Outbound> outbounds) {
    for (Outbound outbound : outbounds) {
      String service = outbound.service();
      Protocol protocol = out.mesh().protocolOf(service);
      String listenerName = EnvoyNames.outboundListener(outbound.address(), outbound.port());
      String cluster = out.serviceCluster(service, Map.of());
      Filter filter;
      Optional<String> routeName = Optional.empty();
      if (protocol.isHttp()) {
        routeName = Optional.of(EnvoyNames.outboundRoute(service));
        filter = HttpFilters.hcmRds(EnvoyNames.statPrefix(listenerName), routeName.get());
        out.route(Routes.allTo(routeName.get(), service, cluster));
      } else {
        filter = HttpFilters.tcpProxy(EnvoyNames.statPrefix(listenerName), cluster);
      }
      if (out.kind() == ProxyKind.GRPC_PROXYLESS) {
        listenerName = EnvoyNames.grpcTarget(service);
        out.listener(apiListener(service));
      } else {
        out.listener(
            Listener.newBuilder()
                .setName(listenerName)
                .setAddress(Protos.socket(outbound.address(), outbound.port()))
                .setTrafficDirection(TrafficDirection.OUTBOUND)
                .addFilterChains(FilterChain.newBuilder().addFilters(filter))
                .build());
      }
      out.outbound(
          new ProxyResources.OutboundTarget(outbound, listenerName, protocol, routeName, cluster));
    }
  }

  /**
   * What grpc-xds resolves {@code xds:///<service>} to: a listener named exactly like the target,
   * whose API listener is an HTTP connection manager fetching the service's routes over ADS.
   */
  private static Listener apiListener(String service) {
    Filter hcm =
        HttpFilters.hcmRds(EnvoyNames.statPrefix(service), EnvoyNames.outboundRoute(service));
    return Listener.newBuilder()
        .setName(EnvoyNames.grpcTarget(service))
        .setApiListener(ApiListener.newBuilder().setApiListener(hcm.getTypedConfig()))
        .build();
  }
}
