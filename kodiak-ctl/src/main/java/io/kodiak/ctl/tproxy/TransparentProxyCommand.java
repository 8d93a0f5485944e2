package io.kodiak.ctl.tproxy;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kodiakctl install transparent-proxy} and {@code kodiakctl uninstall transparent-proxy}:
 * the nat rules that send a Pod's TCP traffic through its Envoy sidecar, for an init container
 * running as root with NET_ADMIN in the Pod's network namespace. Each run is one process; the
 * commands are not meant to run concurrently in one namespace.
 */
public final class TransparentProxyCommand {
  private TransparentProxyCommand() {}

  @Command(
      name = "transparent-proxy",
      description = {
        "Redirect this network namespace's TCP traffic to the sidecar (iptables nat rules):"
            + " inbound to --redirect-inbound-port, outbound to --redirect-outbound-port, except"
            + " the sidecar user's own connections, loopback and excluded ports. UDP (DNS) and"
            + " IPv6 are left alone.",
        "Rules already installed are replaced. Needs root with NET_ADMIN and iptables-restore."
      })
  public static final class Install implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = Flags.INBOUND_PORT,
        defaultValue = "" + RedirectSettings.DEFAULT_INBOUND_PORT,
        description = "Port of the sidecar's inbound listener (default: ${DEFAULT-VALUE}).")
    int inboundPort;

    @Option(
        names = Flags.OUTBOUND_PORT,
        defaultValue = "" + RedirectSettings.DEFAULT_OUTBOUND_PORT,
        description = "Port of the sidecar's outbound listener (default: ${DEFAULT-VALUE}).")
    int outboundPort;

    @Option(
        names = Flags.SIDECAR_UID,
        paramLabel = "UID",
        description =
            "Uid the sidecar runs as; its connections are not redirected (default: "
                + RedirectSettings.DEFAULT_SIDECAR_UID
                + ").")
    Integer sidecarUid;

    @Option(
        names = Flags.SIDECAR_USER,
        paramLabel = "NAME",
        description =
            "User the sidecar runs as, instead of " + Flags.SIDECAR_UID + " (from /etc/passwd).")
    String sidecarUser;

    @Option(
        names = Flags.EXCLUDE_INBOUND,
        paramLabel = "PORTS",
        description = "Comma list of inbound ports that reach the application directly (22,8081).")
    String excludeInboundPorts;

    @Option(
        names = Flags.EXCLUDE_OUTBOUND,
        paramLabel = "PORTS",
        description = "Comma list of destination ports that bypass the sidecar.")
    String excludeOutboundPorts;

    @Option(names = "--dry-run", description = "Print the rules and change nothing.")
    boolean dryRun;

    @Option(names = "--verbose", description = "Also print the rules applied.")
    boolean verbose;

    @Override
    public Integer call() {
      RedirectSettings settings =
          new Flags(
                  inboundPort,
                  outboundPort,
                  sidecarUid,
                  sidecarUser,
                  excludeInboundPorts,
                  excludeOutboundPorts)
              .settings(Passwd.SYSTEM);
      PrintWriter out = spec.commandLine().getOut();
      if (dryRun) {
        // What a first install applies; reading the table would need root, which a dry run should
        // not.
        out.println("# dry run, nothing applied: " + settings.summary());
        out.print(NatRules.install(settings, NatState.EMPTY));
        out.println("# and for IPv6, when the kernel has it on (ip6tables-restore --noflush):");
        out.print(Ipv6Rules.install(settings, NatState.EMPTY));
      } else {
        new Installer(Iptables.locate(), Iptables.locateIpv6().map(t -> (Netfilter) t), out)
            .install(settings, verbosity(verbose));
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "transparent-proxy",
      description =
          "Remove what 'install transparent-proxy' added (the jumps from PREROUTING and OUTPUT, and"
              + " the KODIAK_* nat chains); nothing else. Fine when nothing is installed.")
  public static final class Uninstall implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--verbose", description = "Also print the rules applied.")
    boolean verbose;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      new Installer(Iptables.locate(), Iptables.locateIpv6().map(t -> (Netfilter) t), out)
          .uninstall(verbosity(verbose));
      out.flush();
      return 0;
    }
  }

  private static Installer.Verbosity verbosity(boolean verbose) {
    return verbose ? Installer.Verbosity.VERBOSE : Installer.Verbosity.QUIET;
  }
}
