package io.kodiak.ctl.tproxy;

import java.io.PrintWriter;
import java.util.Optional;

/**
 * Installs and removes our nat rules through a {@link Netfilter}, reporting one line per event on
 * {@code out}. A second install replaces the first in one transaction: an init container that runs
 * again in the same network namespace (its Pod restarted) must succeed, not fail on its own chains.
 */
final class Installer {
  private final Netfilter netfilter;
  private final Optional<Netfilter> ipv6;
  private final PrintWriter out;

  /**
   * @param netfilter the IPv4 nat table
   * @param ipv6 the IPv6 filter table, empty when the kernel has IPv6 off
   */
  Installer(Netfilter netfilter, Optional<Netfilter> ipv6, PrintWriter out) {
    this.netfilter = netfilter;
    this.ipv6 = ipv6;
    this.out = out;
  }

  /** Applies the rules; with {@code verbose}, prints them first. */
  void install(RedirectSettings settings, Verbosity verbosity) {
    // IPv6 first: if the IPv4 rules then fail, nothing goes around the sidecar meanwhile
    if (ipv6.isEmpty()) {
      out.println("IPv6 is off in this kernel: no IPv6 rules needed");
    } else {
      String rules6 = Ipv6Rules.install(settings, NatState.parse(ipv6.get().list()));
      if (verbosity == Verbosity.VERBOSE) {
        out.print(rules6);
      }
      ipv6.get().restore(rules6);
      out.println(
          "IPv6 TCP refused (not redirected), but for loopback, the sidecar and excluded ports");
    }
    NatState existing = NatState.parse(netfilter.list());
    if (!existing.isEmpty()) {
      out.println(
          "replacing the transparent-proxy rules already installed: chains "
              + existing.chains()
              + ", "
              + existing.jumps().size()
              + " jump(s)");
    }
    String rules = NatRules.install(settings, existing);
    if (verbosity == Verbosity.VERBOSE) {
      out.print(rules);
    }
    netfilter.restore(rules);
    out.println("transparent proxy installed: " + settings.summary());
  }

  void uninstall(Verbosity verbosity) {
    if (ipv6.isPresent()) {
      String rules6 = Ipv6Rules.uninstall(NatState.parse(ipv6.get().list()));
      if (rules6 != null) {
        if (verbosity == Verbosity.VERBOSE) {
          out.print(rules6);
        }
        ipv6.get().restore(rules6);
        out.println("IPv6 rules removed");
      }
    }
    NatState existing = NatState.parse(netfilter.list());
    String rules = NatRules.uninstall(existing);
    if (rules == null) {
      out.println("transparent proxy not installed: nothing to remove");
      return;
    }
    if (verbosity == Verbosity.VERBOSE) {
      out.print(rules);
    }
    netfilter.restore(rules);
    out.println(
        "transparent proxy uninstalled: removed chains "
            + existing.chains()
            + " and "
            + existing.jumps().size()
            + " jump(s)");
  }

  enum Verbosity {
    QUIET,
    VERBOSE
  }
}
