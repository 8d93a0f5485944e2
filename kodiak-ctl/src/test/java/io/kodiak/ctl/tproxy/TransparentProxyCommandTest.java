package io.kodiak.ctl.tproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.ctl.KodiakCtl;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * The commands through the CLI's entry point: a dry run needs no root, bad input exits non-zero.
 */
class TransparentProxyCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return KodiakCtl.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void dryRunPrintsTheRulesOfTheGivenFlags() {
    assertThat(
            run(
                "install",
                "transparent-proxy",
                "--dry-run",
                "--redirect-inbound-port",
                "16006",
                "--kuma-dp-uid",
                "1001",
                "--exclude-outbound-ports",
                "5432"))
        .isZero();
    assertThat(out.toString())
        .startsWith(
            "# dry run, nothing applied: inbound TCP -> port 16006, outbound TCP -> port 15001"
                + " (except uid 1001, loopback, ports 5432)\n*nat\n")
        .contains("-A KODIAK_INBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 16006\n")
        .contains("-A KODIAK_OUTBOUND -m owner --uid-owner 1001 -j RETURN\n")
        .endsWith("COMMIT\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void badFlagsExitNonZeroListingEachProblem() {
    assertThat(
            run("install", "transparent-proxy", "--dry-run", "--exclude-inbound-ports", "22,ssh,"))
        .isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "Error: invalid flags, nothing changed:\n"
                + "  * --exclude-inbound-ports: 'ssh' is not a port (1-65535)\n"
                + "  * --exclude-inbound-ports: empty item in '22,ssh,'\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aPortThatIsNoNumberIsRejectedByName() {
    assertThat(run("install", "transparent-proxy", "--redirect-outbound-port", "envoy"))
        .isNotZero();
    assertThat(err.toString()).contains("--redirect-outbound-port").contains("'envoy'");
  }
}
