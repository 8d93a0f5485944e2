package io.kodiak.ctl.tproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kodiak.ctl.testing.KodiakctlInNamespace;
import io.kodiak.ctl.testing.NetworkNamespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@code kodiakctl install transparent-proxy} in a real network namespace (a "pod"),
 * proven with real connections: the pod reaches a "service" 10.96.0.10 in a peer namespace over a
 * veth pair, and the peer reaches the pod at 10.200.0.2. Every listener answers with the port that
 * accepted the connection and its original destination, so a redirect shows as "15001
 * 10.96.0.10:80" and a connection left alone as "80 10.96.0.10:80". Runs as root (make test);
 * fails, not skips, without root, iproute2 or iptables.
 */
class TransparentProxyKernelTest {
  private static final String POD_IP = "10.200.0.2";
  private static final String SERVICE_IP = "10.96.0.10";
  private static final boolean IPV6 = Files.exists(Path.of("/proc/net/if_inet6"));
  private static final String POD_IP6 = "fd00:200::2";
  private static final String PEER_IP6 = "fd00:200::1";
  private static final String EXCLUDED_INBOUND = "2222";
  private static final String EXCLUDED_OUTBOUND = "9090";
  private static final String SIDECAR_UID = "5678";

  /** Runs a client as the sidecar's uid, whose connections the rules treat apart. */
  private static final List<String> AS_SIDECAR =
      List.of("setpriv", "--reuid", SIDECAR_UID, "--regid", SIDECAR_UID, "--clear-groups");

  private static NetworkNamespace pod;
  private static NetworkNamespace peer;

  @BeforeAll
  static void podWithTransparentProxy() throws IOException {
    Iptables.locate(); // fails first, naming the package, when iptables is missing
    pod = NetworkNamespace.create("kodiak-pod");
    peer = NetworkNamespace.create("kodiak-peer");
    pod.link(peer, POD_IP + "/24", "10.200.0.1/24");
    pod.ip("route", "add", "default", "via", "10.200.0.1");
    if (IPV6) {
      pod.ip("-6", "addr", "add", POD_IP6 + "/64", "dev", "veth0", "nodad");
      peer.ip("-6", "addr", "add", PEER_IP6 + "/64", "dev", "veth0", "nodad");
    }
    peer.ip("addr", "add", SERVICE_IP + "/32", "dev", "lo");
    listen(pod, "15001", "15006", "8080", EXCLUDED_INBOUND);
    listen(peer, "80", EXCLUDED_OUTBOUND);
    String output =
        kodiakctl(
            pod,
            "install",
            "transparent-proxy",
            "--exclude-inbound-ports",
            EXCLUDED_INBOUND,
            "--exclude-outbound-ports",
            EXCLUDED_OUTBOUND);
    assertThat(output).contains("transparent proxy installed");
  }

  @AfterAll
  static void deleteNamespaces() {
    try {
      if (pod != null) {
        pod.close();
      }
    } finally {
      if (peer != null) {
        peer.close();
      }
    }
  }

  @Test
  void outboundGoesToTheOutboundRedirectPort() {
    assertThat(connect(pod, List.of(), SERVICE_IP, "80")).isEqualTo("15001 10.96.0.10:80");
  }

  @Test
  void theSidecarUsersConnectionsAreNotRedirected() {
    assertThat(connect(pod, AS_SIDECAR, SERVICE_IP, "80")).isEqualTo("80 10.96.0.10:80");
  }

  @Test
  void anExcludedOutboundPortIsNotRedirected() {
    assertThat(connect(pod, List.of(), SERVICE_IP, EXCLUDED_OUTBOUND))
        .isEqualTo("9090 10.96.0.10:9090");
  }

  @Test
  void thePodReachesItselfWithoutTheMesh() {
    assertThat(connect(pod, List.of(), POD_IP, "8080")).isEqualTo("8080 10.200.0.2:8080");
  }

  @Test
  void theSidecarReachingItsOwnPodIpGoesToTheInboundRedirectPort() {
    assertThat(connect(pod, AS_SIDECAR, POD_IP, "8080")).isEqualTo("15006 10.200.0.2:8080");
    assertThat(connect(pod, AS_SIDECAR, "127.0.0.1", "8080"))
        .as("loopback itself stays direct (the sidecar's way to the application)")
        .isEqualTo("8080 127.0.0.1:8080");
  }

  @Test
  void inboundGoesToTheInboundRedirectPort() {
    assertThat(connect(peer, List.of(), POD_IP, "8080")).isEqualTo("15006 10.200.0.2:8080");
  }

  @Test
  void anExcludedInboundPortReachesItsOwnListener() {
    assertThat(connect(peer, List.of(), POD_IP, EXCLUDED_INBOUND))
        .isEqualTo("2222 10.200.0.2:2222");
  }

  @Test
  void ipv6TcpIsRefusedButForTheSidecarAndTheExcludedPorts() {
    assumeTrue(IPV6, "this kernel has IPv6 off: there are no IPv6 rules to test");
    assertThat(refused(peer, List.of(), POD_IP6, "8080")).as("inbound over IPv6").isTrue();
    assertThat(connect(peer, List.of(), POD_IP6, EXCLUDED_INBOUND)).startsWith("2222 ");
    assertThat(refused(pod, List.of(), PEER_IP6, "80")).as("outbound over IPv6").isTrue();
    assertThat(connect(pod, AS_SIDECAR, PEER_IP6, "80")).startsWith("80 ");
    assertThat(connect(pod, List.of(), "::1", "8080")).as("loopback").startsWith("8080 ");
  }

  @Test
  void reinstallReplacesAndUninstallRemovesOnlyOurRules() {
    try (NetworkNamespace namespace = NetworkNamespace.create("kodiak-tproxy")) {
      String foreign = "-A OUTPUT -p udp -m udp --dport 53 -j RETURN";
      namespace.exec(List.of("iptables", "-t", "nat", "-N", "SOMEONE_ELSE"));
      namespace.exec(
          List.of(
              "iptables",
              "-t",
              "nat",
              "-A",
              "OUTPUT",
              "-p",
              "udp",
              "--dport",
              "53",
              "-j",
              "RETURN"));

      kodiakctl(namespace, "install", "transparent-proxy");
      assertThat(
              kodiakctl(
                  namespace, "install", "transparent-proxy", "--redirect-outbound-port", "15555"))
          .contains("replacing the transparent-proxy rules already installed");
      List<String> installed = natRules(namespace);
      assertThat(installed)
          .containsOnlyOnce(
              "-A OUTPUT -p tcp -j KODIAK_OUTBOUND", "-A PREROUTING -p tcp -j KODIAK_INBOUND")
          .contains("-A KODIAK_OUTBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 15555")
          .doesNotContain("-A KODIAK_OUTBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 15001");

      assertThat(kodiakctl(namespace, "uninstall", "transparent-proxy"))
          .contains("transparent proxy uninstalled");
      List<String> uninstalled = natRules(namespace);
      assertThat(uninstalled).noneMatch(rule -> rule.contains("KODIAK"));
      assertThat(uninstalled).contains("-N SOMEONE_ELSE", foreign);
      if (IPV6) {
        assertThat(namespace.exec(List.of("ip6tables", "-S")))
            .as("IPv6 filter rules after uninstall")
            .doesNotContain("KODIAK");
      }
      assertThat(kodiakctl(namespace, "uninstall", "transparent-proxy"))
          .contains("transparent proxy not installed");
    }
  }

  private static List<String> natRules(NetworkNamespace namespace) {
    return namespace.exec(List.of("iptables", "-t", "nat", "-S")).lines().toList();
  }

  /** Starts the answering server on these ports and returns once it listens. */
  private static void listen(NetworkNamespace namespace, String... ports) throws IOException {
    List<String> command = new ArrayList<>(List.of("python3", script().toString()));
    command.addAll(List.of(ports));
    Process server = namespace.start(command);
    var reader =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    assertThat(reader.readLine())
        .as("server on %s in %s", command, namespace.name())
        .isEqualTo("listening");
  }

  /**
   * The line a server answers to a connection to host:port from the namespace; {@code as} runs the
   * client as another user. Bash's /dev/tcp, so any uid can run it.
   */
  private static String connect(
      NetworkNamespace namespace, List<String> as, String host, String port) {
    List<String> command = new ArrayList<>(as);
    command.addAll(
        List.of(
            "timeout",
            "20",
            "bash",
            "-c",
            "exec 3<>/dev/tcp/$0/$1 && read -r answer <&3 && echo \"$answer\"",
            host,
            port));
    return namespace.exec(command).strip();
  }

  /**
   * Whether a connection from the namespace to host:port is refused or reset at once (bash exits
   * 1), not answered and not timed out (124).
   */
  private static boolean refused(
      NetworkNamespace namespace, List<String> as, String host, String port) {
    try {
      connect(namespace, as, host, port);
      return false;
    } catch (IllegalStateException e) {
      return e.getMessage().contains(" exited with 1:");
    }
  }

  private static String kodiakctl(NetworkNamespace namespace, String... arguments) {
    return KodiakctlInNamespace.run(namespace, List.of(arguments));
  }

  private static Path script() {
    try {
      return Path.of(
          TransparentProxyKernelTest.class.getResource("original_destination_server.py").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
