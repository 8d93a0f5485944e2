package io.kodiak.ctl.tproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One transaction per run, one line per event, over an in-memory nat table. */
class InstallerTest {
  private static final RedirectSettings SETTINGS =
      new RedirectSettings(15006, 15001, 5678, List.of(22), List.of());

  private final MemoryNetfilter netfilter = new MemoryNetfilter();
  private final StringWriter out = new StringWriter();
  private final Installer installer =
      new Installer(netfilter, Optional.empty(), new PrintWriter(out, true));

  @Test
  void installAppliesOneTransactionAndSaysWhatGoesWhere() {
    installer.install(SETTINGS, Installer.Verbosity.QUIET);
    assertThat(netfilter.restored).containsExactly(NatRules.install(SETTINGS, NatState.EMPTY));
    assertThat(out.toString())
        .isEqualTo(
            "IPv6 is off in this kernel: no IPv6 rules needed\n"
                + "transparent proxy installed: inbound TCP -> port 15006 (except ports 22), outbound TCP"
                + " -> port 15001 (except uid 5678, loopback)\n");
  }

  @Test
  void installOverAnEarlierInstallSaysItReplacesIt() {
    netfilter.listing = "-N KODIAK_OUTBOUND\n-A OUTPUT -p tcp -j KODIAK_OUTBOUND\n";
    installer.install(SETTINGS, Installer.Verbosity.QUIET);
    assertThat(out.toString())
        .contains(
            "replacing the transparent-proxy rules already installed: chains [KODIAK_OUTBOUND],"
                + " 1 jump(s)\n");
    assertThat(netfilter.restored.get(0)).contains("-D OUTPUT -p tcp -j KODIAK_OUTBOUND\n");
  }

  @Test
  void withIpv6OnIpv6TcpIsRefusedFirstThenIpv4IsRedirected() {
    MemoryNetfilter ipv6 = new MemoryNetfilter();
    ipv6.listing = "-N KODIAK_INBOUND\n-A INPUT -p tcp -j KODIAK_INBOUND\n";
    new Installer(netfilter, Optional.of(ipv6), new PrintWriter(out, true))
        .install(SETTINGS, Installer.Verbosity.QUIET);
    assertThat(ipv6.restored)
        .containsExactly(Ipv6Rules.install(SETTINGS, NatState.parse(ipv6.listing)));
    assertThat(ipv6.restored.get(0))
        .startsWith("*filter\n")
        .contains(
            "-D INPUT -p tcp -j KODIAK_INBOUND\n",
            "-A KODIAK_INBOUND -p tcp --dport 22 -j RETURN\n",
            "-A KODIAK_OUTBOUND -m owner --uid-owner 5678 -j RETURN\n",
            "-A KODIAK_OUTBOUND -p tcp -j REJECT --reject-with tcp-reset\n");
    assertThat(netfilter.restored).hasSize(1);
    assertThat(out.toString())
        .startsWith(
            "IPv6 TCP refused (not redirected), but for loopback, the sidecar and excluded"
                + " ports\n");
  }

  @Test
  void aFailedRestoreReportsNoSuccess() {
    netfilter.failure = "iptables-restore --noflush failed (exit 2): line 3 failed";
    assertThatThrownBy(() -> installer.install(SETTINGS, Installer.Verbosity.QUIET))
        .hasMessageContaining("line 3 failed");
    assertThat(out.toString()).doesNotContain("installed");
  }

  @Test
  void uninstallWhenNothingIsInstalledChangesNothing() {
    installer.uninstall(Installer.Verbosity.QUIET);
    assertThat(netfilter.restored).isEmpty();
    assertThat(out.toString()).isEqualTo("transparent proxy not installed: nothing to remove\n");
  }

  @Test
  void verboseUninstallPrintsTheRulesItApplies() {
    netfilter.listing = "-N KODIAK_INBOUND\n-A PREROUTING -p tcp -j KODIAK_INBOUND\n";
    installer.uninstall(Installer.Verbosity.VERBOSE);
    assertThat(out.toString())
        .isEqualTo(
            netfilter.restored.get(0)
                + "transparent proxy uninstalled: removed chains [KODIAK_INBOUND] and 1 jump(s)\n");
  }

  @Test
  void missingIptablesNamesThePackage(@TempDir Path empty) throws Exception {
    assertThatThrownBy(() -> Iptables.locate(List.of(empty)))
        .hasMessage("iptables-restore not found: install the iptables package");
    Path restore = Files.createFile(empty.resolve("iptables-restore"));
    assertThat(restore.toFile().setExecutable(true)).isTrue();
    assertThatThrownBy(() -> Iptables.locate(List.of(empty)))
        .hasMessage("iptables not found: install the iptables package");
  }
}
