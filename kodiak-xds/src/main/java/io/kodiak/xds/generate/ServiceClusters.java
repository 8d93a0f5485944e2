package io.kodiak.xds.generate;

import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.Protos;
import io.kodiak.xds.mesh.Endpoint;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.proxy.Protocol;
import java.util.List;
import java.util.Map;

/**
 * EDS clusters that reach a mesh service (or a tagged subset of its instances), with their
 * endpoints.
 */
final class ServiceClusters {
  private ServiceClusters() {}

  static String ensure(ProxyResources out, String service, Map<String, String> tags) {
    String name =
        tags.isEmpty()
            ? EnvoyNames.serviceCluster(service)
            : EnvoyNames.subsetCluster(service, tags);
    if (out.hasCluster(name)) {
      return name;
    }
    Protocol protocol = out.mesh().protocolOf(service);
    Cluster.Builder cluster =
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(Protos.ads()))
            .setConnectTimeout(Protos.seconds(5));
    if (protocol.needsHttp2()) {
      cluster.putTypedExtensionProtocolOptions(
          EnvoyNames.HTTP_PROTOCOL_OPTIONS, Protos.http2Options());
    }
    if (out.mtls().isPresent() && out.mtls().get().outbound() == MeshMtls.Outbound.MUTUAL_TLS) {
      cluster.setTransportSocket(Mtls.upstream(out.mtls().get(), service));
    }
    List<Endpoint> instances =
        out.mesh().endpointsOf(service).stream().filter(e -> e.hasTags(tags)).toList();
    out.endpoints(assignment(name, instances));
    out.cluster(cluster.build());
    out.serviceCluster(name, service);
    return name;
  }

  private static ClusterLoadAssignment assignment(String cluster, List<Endpoint> endpoints) {
    LocalityLbEndpoints.Builder locality =
        LocalityLbEndpoints.newBuilder()
            .setLoadBalancingWeight(
                UInt32Value.of(1)); // grpc-xds ignores localities without a weight
    for (Endpoint endpoint : endpoints) {
      locality.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setEndpoint(
                  io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                      .setAddress(Protos.socket(endpoint.address(), endpoint.port()))));
    }
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(cluster)
        .addEndpoints(locality)
        .build();
  }

  /**
   * The endpoints carrying their cluster's content hash: when a cluster changes, Envoy warms the
   * new one until its endpoints arrive, and with delta xDS unchanged endpoints would never be
   * resent (the cluster would wait for the 15 s initial-fetch timeout).
   */
  static ClusterLoadAssignment stamped(ClusterLoadAssignment assignment, String clusterHash) {
    Metadata stamp =
        Metadata.newBuilder()
            .putFilterMetadata(
                "kodiak",
                Struct.newBuilder()
                    .putFields("cluster", Value.newBuilder().setStringValue(clusterHash).build())
                    .build())
            .build();
    ClusterLoadAssignment.Builder builder = assignment.toBuilder();
    for (int i = 0; i < builder.getEndpointsCount(); i++) {
      builder.setEndpoints(i, builder.getEndpoints(i).toBuilder().setMetadata(stamp));
    }
    return builder.build();
  }
}
