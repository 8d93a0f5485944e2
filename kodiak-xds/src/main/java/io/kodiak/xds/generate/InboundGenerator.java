package io.kodiak.xds.generate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.Protos;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.ProxyModel;

/**
 * For each inbound: a listener on {@code address:port} that hands traffic to the application,
 * and a static cluster for the application at {@code serviceAddress:servicePort}.
 */
final class InboundGenerator {
  private InboundGenerator() {}

  static void generate(ProxyModel proxy, ConfigCollector out) {
    for (Inbound inbound : proxy.inbounds()) {
      String listenerName = EnvoyNames.inboundListener(inbound.address(), inbound.port());
      String cluster = EnvoyNames.localCluster(inbound.servicePort());
      Filter filter = inbound.protocol().isHttp()
          ? HttpFilters.hcmInline(EnvoyNames.statPrefix(listenerName),
              Routes.allTo(EnvoyNames.inboundRoute(inbound.service()), inbound.service(), cluster))
          : HttpFilters.tcpProxy(EnvoyNames.statPrefix(listenerName), cluster);
      out.listener(Listener.newBuilder()
          .setName(listenerName)
          .setAddress(Protos.socket(inbound.address(), inbound.port()))
          .setTrafficDirection(TrafficDirection.INBOUND)
          .addFilterChains(FilterChain.newBuilder().addFilters(filter))
          .build());
      Cluster.Builder local = Cluster.newBuilder()
          .setName(cluster)
          .setType(Cluster.DiscoveryType.STATIC)
          .setConnectTimeout(Protos.seconds(5))
          .setLoadAssignment(ClusterLoadAssignment.newBuilder()
              .setClusterName(cluster)
              .addEndpoints(LocalityLbEndpoints.newBuilder()
                  .addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder()
                      .setAddress(Protos.socket(inbound.serviceAddress(), inbound.servicePort()))))));
      if (inbound.protocol().needsHttp2()) {
        local.putTypedExtensionProtocolOptions(EnvoyNames.HTTP_PROTOCOL_OPTIONS, Protos.http2Options());
      }
      out.cluster(local.build());
    }
  }
}
