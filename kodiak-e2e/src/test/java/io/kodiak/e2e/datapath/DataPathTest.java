package io.kodiak.e2e.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.ctl.KodiakCtl;
import io.kodiak.demo.DemoApp;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Envoy;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.Traffic;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real traffic through real Envoy sidecars configured by the control plane: HTTP and TCP from a
 * client through its outbound to services' inbounds, scaling, a killed agent, a restarted one.
 */
class DataPathTest {
  @TempDir Path dir;
  RunningControlPlane cp;
  final List<AutoCloseable> running = new ArrayList<>();

  @BeforeEach
  void start() {
    cp =
        RunningControlPlane.start(
            dir.resolve("cp"), Map.of("KODIAK_DP_SERVER_DEREGISTRATION_GRACE", "1s"));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : running) {
      c.close();
    }
    cp.close();
  }

  @Test
  void trafficFlowsScalesAndFollowsAgents() throws Exception {
    int backendApp = Ports.free();
    int echoApp = Ports.free();
    int toBackend = Ports.free();
    int toEcho = Ports.free();
    HttpServer b1 = DemoApp.backend(backendApp, "b1");
    running.add(() -> b1.stop(0));
    ServerSocket echo = DemoApp.echo(echoApp);
    running.add(echo);

    agent("backend-1", "backend", "http", backendApp, Map.of());
    agent("echo-1", "echo", "tcp", echoApp, Map.of());
    AgentProcess client =
        agent(
            "client-1",
            "client",
            "http",
            Ports.free(),
            Map.of("backend", toBackend, "echo", toEcho));

    await().atMost(Duration.ofSeconds(20)).until(() -> Traffic.get(toBackend, "/").status() == 200);
    assertThat(Traffic.get(toBackend, "/").body()).isEqualTo("hello from b1\n");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Traffic.echo(toEcho, "ping over tcp").equals("ping over tcp"));

    // Scale the backend to two instances: both get traffic.
    int backendApp2 = Ports.free();
    HttpServer b2 = DemoApp.backend(backendApp2, "b2");
    running.add(() -> b2.stop(0));
    AgentProcess backend2 = agent("backend-2", "backend", "http", backendApp2, Map.of());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> answeredBy(toBackend, 30).containsAll(Set.of("b1", "b2")));

    // Kill one instance's agent: its endpoint leaves the client's Envoy and traffic stays whole.
    int port2 = inboundPortOf(backend2);
    backend2.kill();
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !client.configDump().contains("\"port_value\": " + port2));
    assertThat(answeredBy(toBackend, 30)).containsExactly("b1");

    // Restart an agent: it reconnects and traffic flows again.
    AgentProcess backend1 = byName("backend-1");
    assertThat(backend1.stop()).isZero();
    agents.remove("backend-1");
    agent("backend-1", "backend", "http", backendApp, Map.of());
    await().atMost(Duration.ofSeconds(20)).until(() -> Traffic.get(toBackend, "/").status() == 200);
  }

  @Test
  void aSecondAgentWithATakenNameIsRefusedAndChangesNothing() throws Exception {
    int app = Ports.free();
    HttpServer b1 = DemoApp.backend(app, "b1");
    running.add(() -> b1.stop(0));
    agent("backend-1", "backend", "http", app, Map.of());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cp.controlPlane().insights().online("default", "backend-1")
                    && cp.controlPlane().xdsStats().publications() >= 1);
    long before = cp.controlPlane().xdsStats().publications();

    int admin = Ports.free();
    String yaml =
        Dataplanes.yaml(
            "default", "backend-1", "backend", "http", Ports.free(), app, admin, Map.of());
    Path agentDir = dir.resolve("dup");
    ProcessBuilder pb = duplicateAgent(yaml, agentDir);
    Process duplicate = pb.start();
    assertThat(duplicate.waitFor()).isEqualTo(1);
    assertThat(Files.readString(agentDir.resolve("agent.log")))
        .contains("a proxy named \"backend-1\" is already connected to mesh \"default\"");
    assertThat(cp.controlPlane().xdsStats().publications()).isEqualTo(before);
    assertThat(cp.controlPlane().insights().online("default", "backend-1")).isTrue();
  }

  @Test
  void kodiakctlInspectsLiveDataplanes() throws Exception {
    int app = Ports.free();
    HttpServer b1 = DemoApp.backend(app, "b1");
    running.add(() -> b1.stop(0));
    agent("backend-1", "backend", "http", app, Map.of());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cp.controlPlane().xdsStats().publications() >= 1);
    String contexts = dir.resolve("ctl-config").toString();
    assertThat(
            ctl(
                "--config-file",
                contexts,
                "config",
                "control-planes",
                "add",
                "--name",
                "t",
                "--address",
                cp.url(),
                "--auth-token-file",
                cp.dataDir().resolve("admin-token").toString()))
        .contains("added");
    assertThat(ctl("--config-file", contexts, "inspect", "dataplanes"))
        .containsPattern(
            "default\\s+backend-1\\s+kuma.io/service=backend kuma.io/protocol=http\\s+Online");
    assertThat(
            ctl("--config-file", contexts, "inspect", "dataplane", "backend-1", "--type", "config"))
        .contains("\"name\" : \"inbound:127.0.0.1:");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                ctl(
                        "--config-file",
                        contexts,
                        "inspect",
                        "dataplane",
                        "backend-1",
                        "--type",
                        "config-dump")
                    .contains("type.googleapis.com/envoy.admin.v3.ListenersConfigDump"));
    assertThat(
            ctl("--config-file", contexts, "inspect", "dataplane", "backend-1", "--type", "stats"))
        .contains("server.live: 1");
    assertThat(
            ctl(
                "--config-file",
                contexts,
                "inspect",
                "dataplane",
                "backend-1",
                "--type",
                "clusters"))
        .contains("localhost:" + app + "::");
  }

  private static String ctl(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KodiakCtl.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    assertThat(code).as(err.toString()).isZero();
    return out.toString();
  }

  private final Map<String, AgentProcess> agents = new HashMap<>();
  private final Map<AgentProcess, Integer> inboundPorts = new HashMap<>();

  private AgentProcess agent(
      String name, String service, String protocol, int appPort, Map<String, Integer> outbounds) {
    int inbound = Ports.free();
    int admin = Ports.free();
    String yaml =
        Dataplanes.yaml("default", name, service, protocol, inbound, appPort, admin, outbounds);
    AgentProcess agent =
        AgentProcess.start(
            cp.dpServerUrl(),
            cp.caCertFile(),
            cp.dataplaneToken("default", name),
            yaml,
            admin,
            dir.resolve(name + "-" + inbound));
    running.add(agent);
    agents.put(name, agent);
    inboundPorts.put(agent, inbound);
    return agent;
  }

  private AgentProcess byName(String name) {
    return agents.get(name);
  }

  private int inboundPortOf(AgentProcess agent) {
    return inboundPorts.get(agent);
  }

  private ProcessBuilder duplicateAgent(String yaml, Path agentDir) throws IOException {
    Files.createDirectories(agentDir);
    Path file = agentDir.resolve("dataplane.yaml");
    Files.writeString(file, yaml);
    Path token = agentDir.resolve("token");
    Files.writeString(token, cp.dataplaneToken("default", "backend-1"));
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(
            java,
            "-cp",
            "../kodiak-dp/target/kodiak-dp.jar:../kodiak-dp/target/lib/*",
            "io.kodiak.dp.KodiakDp",
            "run",
            "--cp-address",
            cp.dpServerUrl(),
            "--dataplane-file",
            file.toString(),
            "--binary-path",
            Envoy.binary().toString(),
            "--readiness-port",
            "0",
            "--metrics-port",
            "0",
            "--dataplane-token-file",
            token.toString(),
            "--ca-cert-file",
            cp.caCertFile().toString())
        .redirectErrorStream(true)
        .redirectOutput(agentDir.resolve("agent.log").toFile());
  }

  /** Which backends answered {@code n} requests (by the name in their answer). */
  private static Set<String> answeredBy(int port, int n) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < n; i++) {
      Traffic.Answer answer = Traffic.get(port, "/");
      names.add(
          answer.status() == 200
              ? answer.body().replace("hello from ", "").trim()
              : "status " + answer.status());
    }
    return names;
  }
}
