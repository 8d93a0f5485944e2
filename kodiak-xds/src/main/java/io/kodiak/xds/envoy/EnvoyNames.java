package io.kodiak.xds.envoy;

import java.util.Map;
import java.util.TreeMap;

/**
 * Every name Kodiak gives to an Envoy resource, in one place (Kuma's scheme), so generators,
 * inspect endpoints and tests agree.
 */
public final class EnvoyNames {
  /** The static cluster in the bootstrap that points at the control plane's ADS server. */
  public static final String ADS_CLUSTER = "ads_cluster";

  public static final String ROUTER_FILTER = "envoy.filters.http.router";
  public static final String HCM_FILTER = "envoy.filters.network.http_connection_manager";
  public static final String TCP_PROXY_FILTER = "envoy.filters.network.tcp_proxy";
  public static final String HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
  public static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";
  public static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";
  public static final String NETWORK_RBAC_FILTER = "envoy.filters.network.rbac";
  public static final String HTTP_RBAC_FILTER = "envoy.filters.http.rbac";

  /** The SDS secret holding the proxy's workload certificate and key. */
  public static final String IDENTITY_SECRET = "identity_cert";

  /** The SDS secret holding the CA certificates the mesh trusts. */
  public static final String MESH_CA_SECRET = "mesh_ca";

  /** The listener on the inbound redirect port (transparent proxying). */
  public static final String INBOUND_REDIRECT_LISTENER = "inbound:redirect";

  /** The listener on the outbound redirect port (transparent proxying). */
  public static final String OUTBOUND_REDIRECT_LISTENER = "outbound:redirect";

  /** Connections to a port of the workload no inbound declares go on to it unchanged. */
  public static final String INBOUND_PASSTHROUGH_CLUSTER = "inbound:passthrough";

  /** The workload's connections to somewhere outside the mesh go there unchanged. */
  public static final String OUTBOUND_PASSTHROUGH_CLUSTER = "outbound:passthrough";

  /** Where such connections end when the mesh turns passthrough off: nowhere. */
  public static final String OUTBOUND_BLACKHOLE_CLUSTER = "outbound:blackhole";

  /**
   * Where a connection addressed to a redirect port itself ends: passed on, it would come back to
   * the same port (the sidecar's own connections are not redirected) and loop until Envoy runs out
   * of connections.
   */
  public static final String REDIRECT_LOOP_CLUSTER = "redirect:loop";

  private EnvoyNames() {}

  public static String inboundListener(String address, int port) {
    return "inbound:" + address + ":" + port;
  }

  public static String outboundListener(String address, int port) {
    return "outbound:" + address + ":" + port;
  }

  /** The cluster that reaches the local application of an inbound. */
  public static String localCluster(int servicePort) {
    return "localhost:" + servicePort;
  }

  /** The cluster (and its endpoints) that reaches every instance of a service. */
  public static String serviceCluster(String service) {
    return service;
  }

  /** The cluster reaching the instances of a service that carry the given tags. */
  public static String subsetCluster(String service, Map<String, String> tags) {
    StringBuilder name = new StringBuilder(service);
    new TreeMap<>(tags).forEach((k, v) -> name.append(';').append(k).append('=').append(v));
    return name.toString();
  }

  public static String outboundRoute(String service) {
    return "outbound:" + service;
  }

  /** The RDS route of an mTLS inbound; it carries the caller checks. */
  public static String inboundCheckedRoute(String address, int port) {
    return "inbound:" + address + ":" + port;
  }

  public static String inboundRoute(String service) {
    return "inbound:" + service;
  }

  /** The listener a proxyless gRPC client asks for when it dials {@code xds:///<service>}. */
  public static String grpcTarget(String service) {
    return service;
  }

  public static String statPrefix(String name) {
    return name.replace(':', '_');
  }
}
