package io.kodiak.xds.generate;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.Protos;
import io.kodiak.xds.mesh.Endpoint;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import java.util.Optional;
import io.kodiak.xds.proxy.Outbound;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.Protocol;
import io.kodiak.xds.proxy.ProxyModel;

/**
 * For each declared outbound: a listener on {@code address:port}, an EDS cluster for the service
 * and its endpoints. Only declared outbounds get clusters, so a proxy's config is scoped to what
 * it can reach.
 */
final class OutboundGenerator {
  private OutboundGenerator() {}

  static void generate(MeshSnapshot mesh, ProxyModel proxy, ProxyKind kind, Optional<MeshMtls> mtls,
      ConfigCollector out) {
    for (Outbound outbound : proxy.outbounds()) {
      String service = outbound.service();
      Protocol protocol = mesh.protocolOf(service);
      String listenerName = EnvoyNames.outboundListener(outbound.address(), outbound.port());
      String cluster = EnvoyNames.serviceCluster(service);
      Filter filter;
      if (protocol.isHttp()) {
        String routeName = EnvoyNames.outboundRoute(service);
        filter = HttpFilters.hcmRds(EnvoyNames.statPrefix(listenerName), routeName);
        out.route(Routes.allTo(routeName, service, cluster));
      } else {
        filter = HttpFilters.tcpProxy(EnvoyNames.statPrefix(listenerName), cluster);
      }
      if (kind == ProxyKind.GRPC_PROXYLESS) {
        out.listener(apiListener(service));
      } else {
        out.listener(Listener.newBuilder()
            .setName(listenerName)
            .setAddress(Protos.socket(outbound.address(), outbound.port()))
            .setTrafficDirection(TrafficDirection.OUTBOUND)
            .addFilterChains(FilterChain.newBuilder().addFilters(filter))
            .build());
      }
      if (!out.hasCluster(cluster)) {
        Cluster built = serviceCluster(cluster, protocol);
        if (mtls.isPresent() && mtls.get().outbound() == MeshMtls.Outbound.MUTUAL_TLS) {
          built = built.toBuilder().setTransportSocket(Mtls.upstream(mtls.get(), service)).build();
        }
        out.cluster(built);
        out.endpoints(assignment(cluster, mesh.endpointsOf(service), ProxyConfig.hash(java.util.List.of(built))));
      }
    }
  }

  /**
   * What grpc-xds resolves {@code xds:///<service>} to: a listener named exactly like the target,
   * whose API listener is an HTTP connection manager fetching the service's routes over ADS.
   */
  private static Listener apiListener(String service) {
    Filter hcm = HttpFilters.hcmRds(EnvoyNames.statPrefix(service), EnvoyNames.outboundRoute(service));
    return Listener.newBuilder()
        .setName(EnvoyNames.grpcTarget(service))
        .setApiListener(io.envoyproxy.envoy.config.listener.v3.ApiListener.newBuilder()
            .setApiListener(hcm.getTypedConfig()))
        .build();
  }

  private static Cluster serviceCluster(String name, Protocol protocol) {
    Cluster.Builder cluster = Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(Protos.ads()))
        .setConnectTimeout(Protos.seconds(5));
    if (protocol.needsHttp2()) {
      cluster.putTypedExtensionProtocolOptions(EnvoyNames.HTTP_PROTOCOL_OPTIONS, Protos.http2Options());
    }
    return cluster.build();
  }

  /**
   * The endpoints of a cluster. They carry the cluster's content hash: when a cluster changes,
   * Envoy warms the new one until its endpoints arrive, and with delta xDS unchanged endpoints
   * would never be resent (the cluster would wait for the 15 s initial-fetch timeout).
   */
  private static ClusterLoadAssignment assignment(String cluster, java.util.List<Endpoint> endpoints,
      String clusterHash) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder()
        .setLoadBalancingWeight(UInt32Value.of(1)) // grpc-xds ignores localities without a weight
        .setMetadata(io.envoyproxy.envoy.config.core.v3.Metadata.newBuilder().putFilterMetadata("kodiak",
            com.google.protobuf.Struct.newBuilder().putFields("cluster",
                com.google.protobuf.Value.newBuilder().setStringValue(clusterHash).build()).build()));
    for (Endpoint endpoint : endpoints) {
      locality.addLbEndpoints(LbEndpoint.newBuilder()
          .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
              .setAddress(Protos.socket(endpoint.address(), endpoint.port()))));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(locality).build();
  }
}
