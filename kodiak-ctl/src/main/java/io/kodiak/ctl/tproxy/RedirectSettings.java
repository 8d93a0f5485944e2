package io.kodiak.ctl.tproxy;

import java.util.List;

/**
 * What the NAT rules redirect: inbound TCP to {@code inboundPort}, outbound TCP to {@code
 * outboundPort}, except what the sidecar's own user ({@code sidecarUid}) sends and the excluded
 * ports. Built only by {@link Flags#settings}, which has validated every value.
 */
record RedirectSettings(
    int inboundPort,
    int outboundPort,
    int sidecarUid,
    List<Integer> excludedInboundPorts,
    List<Integer> excludedOutboundPorts) {
  static final int DEFAULT_INBOUND_PORT = 15006;
  static final int DEFAULT_OUTBOUND_PORT = 15001;
  static final int DEFAULT_SIDECAR_UID = 5678;

  RedirectSettings {
    excludedInboundPorts = List.copyOf(excludedInboundPorts);
    excludedOutboundPorts = List.copyOf(excludedOutboundPorts);
  }

  /** One line for logs: what goes where. */
  String summary() {
    return "inbound TCP -> port "
        + inboundPort
        + except("ports", excludedInboundPorts)
        + ", outbound TCP -> port "
        + outboundPort
        + " (except uid "
        + sidecarUid
        + ", loopback"
        + (excludedOutboundPorts.isEmpty() ? "" : ", ports " + join(excludedOutboundPorts))
        + ")";
  }

  private static String except(String what, List<Integer> ports) {
    return ports.isEmpty() ? "" : " (except " + what + " " + join(ports) + ")";
  }

  private static String join(List<Integer> ports) {
    return String.join(",", ports.stream().map(String::valueOf).toList());
  }
}
