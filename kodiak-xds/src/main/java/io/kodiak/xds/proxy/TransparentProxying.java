package io.kodiak.xds.proxy;

/**
 * A proxy whose traffic the kernel redirects to it (iptables, set up by {@code kodiakctl install
 * transparent-proxy}): Envoy listens on the two redirect ports only and hands each connection to
 * the listener of its original destination. Immutable.
 *
 * @param inboundPort where connections to the workload arrive (Kuma's default 15006)
 * @param outboundPort where the workload's own connections arrive (Kuma's default 15001)
 */
public record TransparentProxying(int inboundPort, int outboundPort) {
  public static final int DEFAULT_INBOUND_PORT = 15006;
  public static final int DEFAULT_OUTBOUND_PORT = 15001;
}
