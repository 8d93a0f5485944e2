package io.kodiak.policy.core.envoy;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.Protos;
import java.net.URI;

/**
 * Clusters for services outside the mesh that a policy names by URL or host:port (trace collectors,
 * log receivers): STATIC for an IP address, STRICT_DNS for a host name.
 */
public final class ServiceUrls {
  private ServiceUrls() {}

  /** A host and port. */
  public record HostPort(String host, int port) {
    /**
     * {@code host:port}, {@code http://host:port/path} or {@code grpc://host:port}; defaults to
     * {@code defaultPort}.
     */
    public static HostPort parse(String text, int defaultPort) {
      String withScheme = text.contains("://") ? text : "tcp://" + text;
      URI uri = URI.create(withScheme);
      int port = uri.getPort() > 0 ? uri.getPort() : defaultPort;
      return new HostPort(uri.getHost(), port);
    }
  }

  public static Cluster cluster(String name, HostPort target, boolean http2) {
    boolean ip = target.host().matches("[0-9.]+") || target.host().contains(":");
    Cluster.Builder cluster =
        Cluster.newBuilder()
            .setName(name)
            .setType(ip ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
            .setConnectTimeout(Protos.seconds(5))
            .setLoadAssignment(
                ClusterLoadAssignment.newBuilder()
                    .setClusterName(name)
                    .addEndpoints(
                        LocalityLbEndpoints.newBuilder()
                            .addLbEndpoints(
                                LbEndpoint.newBuilder()
                                    .setEndpoint(
                                        Endpoint.newBuilder()
                                            .setAddress(
                                                Protos.socket(target.host(), target.port()))))));
    if (http2) {
      cluster.putTypedExtensionProtocolOptions(
          EnvoyNames.HTTP_PROTOCOL_OPTIONS, Protos.http2Options());
    }
    return cluster.build();
  }
}
