package io.kodiak.xds.proxy;

/** What is on the other end of an xDS stream. */
public enum ProxyKind {
  /** An Envoy sidecar started by kodiak-dp. */
  ENVOY,
  /**
   * A gRPC application using grpc-xds directly (no sidecar): it asks for listeners named after its
   * {@code xds:///<service>} targets and has no inbound listeners to configure.
   */
  GRPC_PROXYLESS;

  /** The node-metadata key a client sets to say what it is; absent means {@link #ENVOY}. */
  public static final String METADATA = "kodiak.io/proxy-kind";

  public static ProxyKind fromMetadata(String value) {
    return "grpc-proxyless".equals(value) ? GRPC_PROXYLESS : ENVOY;
  }
}
