package io.kodiak.ctl.tproxy;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code iptables-restore --noflush} input for the nat table: one transaction each for install
 * and uninstall, so a failure leaves the table as it was. Only TCP jumps into our chains, so UDP
 * (DNS) is never redirected. IPv6 has its own rules ({@link Ipv6Rules}).
 */
final class NatRules {
  /**
   * The source address of the sidecar's connections to the workload's undeclared ports (Envoy's
   * inbound passthrough binds it; Kuma's and Istio's choice).
   */
  static final String INBOUND_PASSTHROUGH_SOURCE = "127.0.0.6";

  private NatRules() {}

  /**
   * Our chains with their rules and the two jumps into them. Rules already there ({@code existing})
   * are replaced: declaring a chain that exists flushes it under {@code --noflush}, and the old
   * jumps are deleted first, so reinstalling never doubles a jump.
   */
  static String install(RedirectSettings settings, NatState existing) {
    List<String> lines = new ArrayList<>();
    lines.add("*nat");
    for (Chain chain : Chain.values()) {
      lines.add(":" + chain + " - [0:0]");
    }
    existing.jumps().forEach(jump -> lines.add("-D " + jump));

    // Inbound: what reaches the Pod, but excluded ports, goes to Envoy's inbound listener.
    lines.add(
        rule(
            Chain.KODIAK_INBOUND_REDIRECT,
            "-p tcp -j REDIRECT --to-ports " + settings.inboundPort()));
    for (int port : settings.excludedInboundPorts()) {
      lines.add(rule(Chain.KODIAK_INBOUND, "-p tcp --dport " + port + " -j RETURN"));
    }
    lines.add(rule(Chain.KODIAK_INBOUND, "-p tcp -j " + Chain.KODIAK_INBOUND_REDIRECT));

    // Outbound. Envoy's own connections (its uid) leave as they are, or they would loop back into
    // Envoy, with one exception: to this Pod's own IP (over lo, a Pod calling its own Service and
    // picked as the endpoint) they go to the inbound listener, so mTLS and permissions apply as
    // for any caller. What Envoy passes on to the workload's undeclared ports comes from
    // 127.0.0.6 and is let through, or it would be redirected again. The workload's own loopback
    // stays outside the mesh.
    String sidecar = "-m owner --uid-owner " + settings.sidecarUid();
    lines.add(
        rule(
            Chain.KODIAK_OUTBOUND_REDIRECT,
            "-p tcp -j REDIRECT --to-ports " + settings.outboundPort()));
    lines.add(
        rule(Chain.KODIAK_OUTBOUND, "-s " + INBOUND_PASSTHROUGH_SOURCE + "/32 -o lo -j RETURN"));
    lines.add(
        rule(
            Chain.KODIAK_OUTBOUND,
            "! -d 127.0.0.1/32 -o lo " + sidecar + " -j " + Chain.KODIAK_INBOUND_REDIRECT));
    lines.add(rule(Chain.KODIAK_OUTBOUND, sidecar + " -j RETURN"));
    lines.add(rule(Chain.KODIAK_OUTBOUND, "-o lo -j RETURN"));
    for (int port : settings.excludedOutboundPorts()) {
      lines.add(rule(Chain.KODIAK_OUTBOUND, "-p tcp --dport " + port + " -j RETURN"));
    }
    lines.add(rule(Chain.KODIAK_OUTBOUND, "-p tcp -j " + Chain.KODIAK_OUTBOUND_REDIRECT));

    lines.add("-A PREROUTING -p tcp -j " + Chain.KODIAK_INBOUND);
    lines.add("-A OUTPUT -p tcp -j " + Chain.KODIAK_OUTBOUND);
    lines.add("COMMIT");
    return String.join("\n", lines) + "\n";
  }

  /**
   * Deletes the jumps into our chains, then the chains (all flushed before any is deleted, since
   * they jump to each other); null when there is nothing of ours.
   */
  static String uninstall(NatState existing) {
    return existing.removal("nat");
  }

  private static String rule(Chain chain, String spec) {
    return "-A " + chain + " " + spec;
  }
}
