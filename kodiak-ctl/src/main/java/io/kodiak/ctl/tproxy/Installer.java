package io.kodiak.ctl.tproxy;

import java.io.PrintWriter;

/**
 * Installs and removes our nat rules through a {@link Netfilter}, reporting one line per event on
 * {@code out}. A second install replaces the first in one transaction: an init container that runs
 * again in the same network namespace (its Pod restarted) must succeed, not fail on its own chains.
 */
final class Installer {
  private final Netfilter netfilter;
  private final PrintWriter out;

  Installer(Netfilter netfilter, PrintWriter out) {
    this.netfilter = netfilter;
    this.out = out;
  }

  /** Applies the rules; with {@code verbose}, prints them first. */
  void install(RedirectSettings settings, Verbosity verbosity) {
    NatState existing = NatState.parse(netfilter.listNat());
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
    NatState existing = NatState.parse(netfilter.listNat());
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
