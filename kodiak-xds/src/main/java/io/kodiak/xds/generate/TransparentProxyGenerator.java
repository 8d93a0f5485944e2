package io.kodiak.xds.generate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.BindConfig;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.Protos;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.TransparentProxying;
import java.util.Map;
import java.util.Optional;

/**
 * Transparent proxying, once every other generator and plugin ran: the kernel sends the workload's
 * connections to the two redirect ports, so those are the only ports Envoy binds. Each redirect
 * listener hands a connection to the listener of its original destination (an inbound's {@code
 * podIP:port}, an outbound's {@code clusterIP:port}), which no longer binds its own address; a
 * connection no listener declares goes on to where it was going (the workload's undeclared ports,
 * or outside the mesh unless the Mesh turns {@code networking.outbound.passthrough} off). Policies
 * never see these listeners: they are not a service's. A connection addressed to a redirect port
 * itself (nothing redirected it) is closed: passed on, it would loop back to the same port.
 */
final class TransparentProxyGenerator {
  private static final BoolValue DO_NOT_BIND = BoolValue.of(false);

  /** Kuma's and Istio's; kodiakctl's nat rules know it too. */
  private static final String INBOUND_PASSTHROUGH_SOURCE = "127.0.0.6";

  private TransparentProxyGenerator() {}

  static void generate(ProxyResources out) {
    Optional<TransparentProxying> proxying = out.proxy().transparentProxying();
    if (proxying.isEmpty() || out.kind() != ProxyKind.ENVOY) {
      return;
    }
    for (Map.Entry<String, Listener> listener : out.listeners().entrySet()) {
      listener.setValue(listener.getValue().toBuilder().setBindToPort(DO_NOT_BIND).build());
    }
    out.cluster(nowhere(EnvoyNames.REDIRECT_LOOP_CLUSTER));
    out.cluster(
        originalDestination(EnvoyNames.INBOUND_PASSTHROUGH_CLUSTER).toBuilder()
            // the Pod's nat rules let connections from this address through over lo: without it
            // they would be redirected back to the inbound port (kodiakctl's NatRules)
            .setUpstreamBindConfig(
                BindConfig.newBuilder()
                    .setSourceAddress(
                        Protos.socket(INBOUND_PASSTHROUGH_SOURCE, 0).getSocketAddress()))
            .build());
    out.listener(
        redirect(
            EnvoyNames.INBOUND_REDIRECT_LISTENER,
            proxying.get().inboundPort(),
            TrafficDirection.INBOUND,
            EnvoyNames.INBOUND_PASSTHROUGH_CLUSTER));
    String outside;
    if (out.mesh().outboundPassthrough()) {
      outside = EnvoyNames.OUTBOUND_PASSTHROUGH_CLUSTER;
      out.cluster(originalDestination(outside));
    } else {
      outside = EnvoyNames.OUTBOUND_BLACKHOLE_CLUSTER;
      out.cluster(nowhere(outside));
    }
    out.listener(
        redirect(
            EnvoyNames.OUTBOUND_REDIRECT_LISTENER,
            proxying.get().outboundPort(),
            TrafficDirection.OUTBOUND,
            outside));
  }

  private static Listener redirect(
      String name, int port, TrafficDirection direction, String unmatched) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(Protos.socket("0.0.0.0", port))
        .setTrafficDirection(direction)
        .setUseOriginalDst(BoolValue.of(true)) // reads SO_ORIGINAL_DST, hands off by it
        .addFilterChains(
            FilterChain.newBuilder()
                .setName(EnvoyNames.REDIRECT_LOOP_CLUSTER)
                .setFilterChainMatch(
                    FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(port)))
                .addFilters(
                    HttpFilters.tcpProxy(
                        EnvoyNames.statPrefix(EnvoyNames.REDIRECT_LOOP_CLUSTER),
                        EnvoyNames.REDIRECT_LOOP_CLUSTER)))
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(HttpFilters.tcpProxy(EnvoyNames.statPrefix(name), unmatched)))
        .build();
  }

  private static Cluster originalDestination(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
        .setConnectTimeout(Protos.seconds(5))
        .build();
  }

  private static Cluster nowhere(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(Protos.seconds(5))
        .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(name))
        .build();
  }
}
