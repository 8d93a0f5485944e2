package io.kodiak.e2e.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Envoy;
import io.kodiak.e2e.support.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's work directory holds Envoy's bootstrap, which carries a valid dataplane token: it
 * must not outlive the agent (stopped, refused, or killed with SIGKILL and started again). Each
 * test gives its agents their own {@code java.io.tmpdir}, where the default work directory goes.
 */
class AgentWorkDirTest {
  @TempDir static Path shared;
  static RunningControlPlane cp;
  @TempDir Path dir;
  private Path tmp;

  @BeforeAll
  static void start() {
    cp = RunningControlPlane.start(shared.resolve("cp"));
  }

  @AfterAll
  static void stop() {
    cp.close();
  }

  @BeforeEach
  void tmp() throws IOException {
    tmp = Files.createDirectories(dir.resolve("tmp"));
  }

  @Test
  void aStoppedAgentRemovesItsWorkDirectory() throws Exception {
    Process agent = startWithEnvoy("stop-1");
    assertThat(workDirs())
        .singleElement()
        .satisfies(d -> assertThat(d.resolve("bootstrap.yaml")).exists());
    agent.destroy(); // SIGTERM: drain, stop Envoy, exit
    assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(agent.exitValue()).as(log()).isZero();
    assertThat(workDirs()).isEmpty();

    // an explicit --workdir the agent made goes too
    int explicitAdmin = Ports.free();
    AgentProcess explicit =
        AgentProcess.start(
            cp.dpServerUrl(),
            cp.caCertFile(),
            cp.dataplaneToken("default", "stop-2"),
            yaml("stop-2", explicitAdmin),
            explicitAdmin,
            dir.resolve("explicit"));
    assertThat(dir.resolve("explicit/work/bootstrap.yaml")).exists();
    assertThat(explicit.stop()).isZero();
    assertThat(dir.resolve("explicit/work")).doesNotExist();
  }

  @Test
  void aRefusedAgentLeavesNothing() throws Exception {
    Process agent = launch("refused-1", Ports.free(), null);
    assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(agent.exitValue()).as(log()).isEqualTo(1);
    assertThat(log()).contains("(HTTP 401)");
    assertThat(workDirs()).isEmpty();
  }

  @Test
  void theNextStartRemovesWhatAKilledAgentLeft() throws Exception {
    Process killed = startWithEnvoy("killed-1");
    List<Path> left = workDirs();
    killed.destroyForcibly(); // SIGKILL: no cleanup is possible
    killed.waitFor();
    assertThat(left)
        .singleElement()
        .satisfies(d -> assertThat(d.resolve("bootstrap.yaml")).exists());
    assertThat(workDirs()).isEqualTo(left);

    // the next agent on this machine (here another proxy) removes the leftover as it starts, and
    // its own directory when it stops
    Process next = startWithEnvoy("killed-2");
    assertThat(left.get(0)).doesNotExist();
    assertThat(workDirs()).hasSize(1).doesNotContainAnyElementsOf(left);
    next.destroy();
    assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(workDirs()).isEmpty();
  }

  @Test
  void anExplicitWorkDirectoryIsCleanedByTheNextStartAfterAKill() throws Exception {
    int admin = Ports.free();
    AgentProcess killed =
        AgentProcess.start(
            cp.dpServerUrl(),
            cp.caCertFile(),
            cp.dataplaneToken("default", "killed-3"),
            yaml("killed-3", admin),
            admin,
            dir.resolve("agent"));
    Path bootstrap = dir.resolve("agent/work/bootstrap.yaml");
    assertThat(bootstrap).exists();
    killed.kill();
    assertThat(bootstrap).exists();

    // started again on the same --workdir (and refused: no token), it removes the old bootstrap
    int againAdmin = Ports.free();
    AgentProcess again =
        AgentProcess.launch(
            cp.dpServerUrl(),
            cp.caCertFile(),
            null,
            yaml("killed-3", againAdmin),
            againAdmin,
            dir.resolve("agent"),
            0);
    await().atMost(Duration.ofSeconds(60)).until(() -> !again.alive());
    assertThat(again.log()).contains("(HTTP 401)");
    assertThat(bootstrap).doesNotExist();
  }

  private static String yaml(String name, int admin) {
    return Dataplanes.yaml(
        "default", name, name, "http", Ports.free(), Ports.free(), admin, Map.of());
  }

  /** Starts kodiak-dp with its token and waits until its Envoy answers. */
  private Process startWithEnvoy(String name) throws IOException {
    int admin = Ports.free();
    Process agent = launch(name, admin, cp.dataplaneToken("default", name));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !agent.isAlive() || adminAnswers(admin));
    assertThat(agent.isAlive()).as(log()).isTrue();
    return agent;
  }

  /** kodiak-dp without --workdir: its default work directory is in {@code tmp}. */
  private Process launch(String name, int admin, String token) throws IOException {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, yaml(name, admin));
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-Djava.io.tmpdir=" + tmp,
                "-cp",
                "../kodiak-dp/target/kodiak-dp.jar:../kodiak-dp/target/lib/*",
                "io.kodiak.dp.KodiakDp",
                "run",
                "--cp-address",
                cp.dpServerUrl(),
                "--ca-cert-file",
                cp.caCertFile().toString(),
                "--dataplane-file",
                file.toString(),
                "--binary-path",
                Envoy.binary().toString(),
                "--readiness-port",
                "0",
                "--metrics-port",
                "-1",
                "--drain-time",
                "1s",
                "--concurrency",
                "1"));
    if (token != null) {
      Path tokenFile = dir.resolve(name + ".token");
      Files.writeString(tokenFile, token);
      command.addAll(List.of("--dataplane-token-file", tokenFile.toString()));
    }
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agents.log").toFile()))
        .start();
  }

  private static boolean adminAnswers(int port) {
    try {
      return HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          > 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private List<Path> workDirs() throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("kodiak-dp-"))
          .sorted()
          .toList();
    }
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("agents.log"));
    } catch (IOException e) {
      return "";
    }
  }
}
