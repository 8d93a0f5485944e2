package io.kodiak.ctl.tproxy;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code ip6tables-restore --noflush} input for the IPv6 filter table. Envoy's redirect
 * listeners are IPv4, so IPv6 TCP is not redirected but refused (a TCP reset): otherwise a peer
 * could reach the application over IPv6 (a link-local address is enough) around mTLS and
 * permissions, and the application could leave the mesh around {@code passthrough: false}.
 * Loopback, the sidecar's own uid and the excluded ports are let through, as in the IPv4 rules.
 */
final class Ipv6Rules {
  private Ipv6Rules() {}

  static String install(RedirectSettings settings, NatState existing) {
    List<String> lines = new ArrayList<>();
    lines.add("*filter");
    lines.add(":" + Chain.KODIAK_INBOUND + " - [0:0]");
    lines.add(":" + Chain.KODIAK_OUTBOUND + " - [0:0]");
    existing.jumps().forEach(jump -> lines.add("-D " + jump));
    // the filter table sees every packet, not only a connection's first: only new ones are judged
    String established = "-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN";
    lines.add(rule(Chain.KODIAK_INBOUND, established));
    lines.add(rule(Chain.KODIAK_INBOUND, "-i lo -j RETURN"));
    for (int port : settings.excludedInboundPorts()) {
      lines.add(rule(Chain.KODIAK_INBOUND, "-p tcp --dport " + port + " -j RETURN"));
    }
    lines.add(rule(Chain.KODIAK_INBOUND, "-p tcp -j REJECT --reject-with tcp-reset"));
    lines.add(rule(Chain.KODIAK_OUTBOUND, established));
    lines.add(rule(Chain.KODIAK_OUTBOUND, "-o lo -j RETURN"));
    lines.add(
        rule(
            Chain.KODIAK_OUTBOUND, "-m owner --uid-owner " + settings.sidecarUid() + " -j RETURN"));
    for (int port : settings.excludedOutboundPorts()) {
      lines.add(rule(Chain.KODIAK_OUTBOUND, "-p tcp --dport " + port + " -j RETURN"));
    }
    lines.add(rule(Chain.KODIAK_OUTBOUND, "-p tcp -j REJECT --reject-with tcp-reset"));
    // first in their chains: an ACCEPT someone put before them must not open a way around
    lines.add("-I INPUT 1 -p tcp -j " + Chain.KODIAK_INBOUND);
    lines.add("-I OUTPUT 1 -p tcp -j " + Chain.KODIAK_OUTBOUND);
    lines.add("COMMIT");
    return String.join("\n", lines) + "\n";
  }

  /** Our chains and the jumps into them out of the filter table; null when there are none. */
  static String uninstall(NatState existing) {
    return existing.removal("filter");
  }

  private static String rule(Chain chain, String spec) {
    return "-A " + chain + " " + spec;
  }
}
