package io.kodiak.cp.dpserver;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.BackoffStrategy;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.RetryPolicy;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.ProtoJson;
import io.kodiak.xds.envoy.Protos;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders the Envoy bootstrap for a proxy: its node (id {@code <mesh>.<name>}, the Dataplane in the
 * metadata), the admin endpoint on loopback, and delta ADS to the control plane. As in Kuma, Envoy
 * sends the node (with the Dataplane and the token) on the first request of a stream only; the xDS
 * server knows the stream by it. A lost stream is retried with Envoy's jittered backoff (0.5 s
 * doubling), capped at 5 s instead of Envoy's 30 s: after a control-plane restart a live proxy is
 * back well within the deregistration grace (10 s) and keeps its Dataplane. With several
 * control-plane replicas, each is an endpoint of the ADS cluster: a stream lost with its replica is
 * opened again to another, and Envoy keeps its config meanwhile. Stateless.
 */
final class BootstrapRenderer {

  private BootstrapRenderer() {}

  /**
   * @param cpCaPem the control plane's CA when the dp-server speaks TLS; Envoy trusts only it
   */
  static String render(
      ProxyModel proxy,
      Map<String, String> metadata,
      List<ControlPlaneAddress> controlPlanes,
      Optional<String> cpCaPem) {
    String cpHost = controlPlanes.get(0).host();
    LocalityLbEndpoints.Builder replicas = LocalityLbEndpoints.newBuilder();
    for (ControlPlaneAddress cp : controlPlanes) {
      replicas.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setEndpoint(Endpoint.newBuilder().setAddress(Protos.socket(cp.host(), cp.port()))));
    }
    Struct.Builder meta = Struct.newBuilder();
    metadata.forEach((k, v) -> meta.putFields(k, Value.newBuilder().setStringValue(v).build()));
    Cluster.Builder ads =
        Cluster.newBuilder()
            .setName(EnvoyNames.ADS_CLUSTER)
            .setType(Cluster.DiscoveryType.STRICT_DNS)
            .setConnectTimeout(Protos.seconds(1))
            .putTypedExtensionProtocolOptions(
                EnvoyNames.HTTP_PROTOCOL_OPTIONS, Protos.http2Options())
            .setLoadAssignment(
                ClusterLoadAssignment.newBuilder()
                    .setClusterName(EnvoyNames.ADS_CLUSTER)
                    .addEndpoints(replicas));
    cpCaPem.ifPresent(
        ca ->
            ads.setTransportSocket(
                TransportSocket.newBuilder()
                    .setName(EnvoyNames.TLS_TRANSPORT_SOCKET)
                    .setTypedConfig(
                        Protos.pack(
                            UpstreamTlsContext.newBuilder()
                                .setSni(cpHost)
                                .setCommonTlsContext(
                                    CommonTlsContext.newBuilder()
                                        .addAlpnProtocols("h2")
                                        .setValidationContext(
                                            CertificateValidationContext.newBuilder()
                                                .setTrustedCa(
                                                    DataSource.newBuilder().setInlineString(ca))))
                                .build()))));
    Bootstrap bootstrap =
        Bootstrap.newBuilder()
            .setNode(
                Node.newBuilder()
                    .setId(proxy.nodeId())
                    .setCluster(proxy.primaryService())
                    .setMetadata(meta))
            .setAdmin(Admin.newBuilder().setAddress(Protos.socket("127.0.0.1", proxy.adminPort())))
            .setDynamicResources(
                Bootstrap.DynamicResources.newBuilder()
                    .setAdsConfig(
                        ApiConfigSource.newBuilder()
                            .setApiType(ApiConfigSource.ApiType.DELTA_GRPC)
                            .setTransportApiVersion(ApiVersion.V3)
                            .setSetNodeOnFirstMessageOnly(true)
                            .addGrpcServices(
                                GrpcService.newBuilder()
                                    .setEnvoyGrpc(
                                        GrpcService.EnvoyGrpc.newBuilder()
                                            .setClusterName(EnvoyNames.ADS_CLUSTER)
                                            .setRetryPolicy(
                                                RetryPolicy.newBuilder()
                                                    .setRetryBackOff(
                                                        BackoffStrategy.newBuilder()
                                                            .setBaseInterval(Protos.millis(500))
                                                            .setMaxInterval(Protos.seconds(5)))))))
                    .setCdsConfig(Protos.ads())
                    .setLdsConfig(Protos.ads()))
            .setStaticResources(Bootstrap.StaticResources.newBuilder().addClusters(ads))
            .build();
    return ProtoJson.print(bootstrap);
  }
}
