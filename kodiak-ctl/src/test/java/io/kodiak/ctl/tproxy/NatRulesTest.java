package io.kodiak.ctl.tproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The iptables-restore input, exactly, and what of a nat table listing counts as ours. */
class NatRulesTest {
  private static final RedirectSettings SETTINGS =
      new RedirectSettings(15006, 15001, 5678, List.of(22, 8081), List.of(5432));

  /** As {@code iptables -t nat -S} prints it, with a rule and a chain that are not ours. */
  private static final String LISTING =
      """
      -P PREROUTING ACCEPT
      -P OUTPUT ACCEPT
      -N KODIAK_INBOUND
      -N KODIAK_OUTBOUND
      -N SOMEONE_ELSE
      -A PREROUTING -p tcp -j KODIAK_INBOUND
      -A OUTPUT -p udp -m udp --dport 53 -j RETURN
      -A OUTPUT -p tcp -j KODIAK_OUTBOUND
      -A SOMEONE_ELSE -j KODIAK_OUTBOUND
      -A KODIAK_OUTBOUND -o lo -j RETURN
      """;

  @Test
  void installRedirectsTcpOnlyWithTheExclusionsBeforeTheRedirects() {
    assertThat(NatRules.install(SETTINGS, NatState.EMPTY))
        .isEqualTo(
            """
            *nat
            :KODIAK_INBOUND - [0:0]
            :KODIAK_INBOUND_REDIRECT - [0:0]
            :KODIAK_OUTBOUND - [0:0]
            :KODIAK_OUTBOUND_REDIRECT - [0:0]
            -A KODIAK_INBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 15006
            -A KODIAK_INBOUND -p tcp --dport 22 -j RETURN
            -A KODIAK_INBOUND -p tcp --dport 8081 -j RETURN
            -A KODIAK_INBOUND -p tcp -j KODIAK_INBOUND_REDIRECT
            -A KODIAK_OUTBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 15001
            -A KODIAK_OUTBOUND -s 127.0.0.6/32 -o lo -j RETURN
            -A KODIAK_OUTBOUND ! -d 127.0.0.1/32 -o lo -m owner --uid-owner 5678 -j KODIAK_INBOUND_REDIRECT
            -A KODIAK_OUTBOUND -m owner --uid-owner 5678 -j RETURN
            -A KODIAK_OUTBOUND -o lo -j RETURN
            -A KODIAK_OUTBOUND -p tcp --dport 5432 -j RETURN
            -A KODIAK_OUTBOUND -p tcp -j KODIAK_OUTBOUND_REDIRECT
            -A PREROUTING -p tcp -j KODIAK_INBOUND
            -A OUTPUT -p tcp -j KODIAK_OUTBOUND
            COMMIT
            """);
  }

  @Test
  void theListingsOwnRulesAreOurChainsAndEveryJumpIntoThem() {
    NatState state = NatState.parse(LISTING);
    assertThat(state.chains()).containsExactly("KODIAK_INBOUND", "KODIAK_OUTBOUND");
    assertThat(state.jumps())
        .containsExactly(
            "PREROUTING -p tcp -j KODIAK_INBOUND",
            "OUTPUT -p tcp -j KODIAK_OUTBOUND",
            "SOMEONE_ELSE -j KODIAK_OUTBOUND");
  }

  @Test
  void reinstallDeletesTheOldJumpsVerbatimSoNoneIsDoubled() {
    String rules = NatRules.install(SETTINGS, NatState.parse(LISTING));
    assertThat(rules.lines())
        .containsSubsequence(
            ":KODIAK_OUTBOUND_REDIRECT - [0:0]",
            "-D PREROUTING -p tcp -j KODIAK_INBOUND",
            "-D OUTPUT -p tcp -j KODIAK_OUTBOUND",
            "-D SOMEONE_ELSE -j KODIAK_OUTBOUND",
            "-A KODIAK_INBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 15006")
        .containsOnlyOnce("-A OUTPUT -p tcp -j KODIAK_OUTBOUND");
  }

  @Test
  void uninstallDeletesTheJumpsThenFlushesThenDeletesOurChainsOnly() {
    assertThat(NatRules.uninstall(NatState.parse(LISTING)))
        .isEqualTo(
            """
            *nat
            -D PREROUTING -p tcp -j KODIAK_INBOUND
            -D OUTPUT -p tcp -j KODIAK_OUTBOUND
            -D SOMEONE_ELSE -j KODIAK_OUTBOUND
            -F KODIAK_INBOUND
            -F KODIAK_OUTBOUND
            -X KODIAK_INBOUND
            -X KODIAK_OUTBOUND
            COMMIT
            """);
  }

  @Test
  void uninstallWithNothingOfOursHasNothingToApply() {
    assertThat(NatRules.uninstall(NatState.parse("-P OUTPUT ACCEPT\n-N SOMEONE_ELSE\n"))).isNull();
  }
}
