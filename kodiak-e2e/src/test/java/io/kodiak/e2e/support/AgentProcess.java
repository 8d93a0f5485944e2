package io.kodiak.e2e.support;

import static org.awaitility.Awaitility.await;

import io.kodiak.ctl.testing.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** A real {@code kodiak-dp} process (built jar) running a real Envoy for one Dataplane. */
public final class AgentProcess implements AutoCloseable {
  private static final Path TARGET = Path.of("../kodiak-dp/target");
  private final Process process;
  private final int adminPort;
  private final Path log;
  private final int metricsPort;
  private final Sandbox sandbox;

  private AgentProcess(Process process, int adminPort, Path log, int metricsPort, Sandbox sandbox) {
    this.metricsPort = metricsPort;
    this.process = process;
    this.adminPort = adminPort;
    this.log = log;
    this.sandbox = sandbox;
  }

  /**
   * Starts the sidecar of a transparently proxied Pod as its container runs: inside the Pod's
   * network namespace as the sidecar's uid (whose own connections the Pod's nat rules leave alone),
   * for the Dataplane the control plane made of the Pod; returns once its Envoy answers. What it
   * runs (Envoy, kodiak-dp's jars, the CA, its token) is copied under {@code dir}, so that uid can
   * read it wherever the build lives.
   */
  public static AgentProcess startInPod(
      NetworkNamespace pod,
      int uid,
      String cpAddress,
      Path caCert,
      String token,
      String mesh,
      String name,
      int adminPort,
      int readinessPort,
      List<String> moreArgs,
      Path dir) {
    Sandbox sandbox = Sandbox.pod(pod, uid, dir);
    List<String> args = new ArrayList<>(moreArgs);
    args.addAll(List.of("--mesh", mesh, "--name", name, "--admin-port", String.valueOf(adminPort)));
    AgentProcess agent =
        launch(
            cpAddress,
            sandbox.readable(caCert),
            token,
            null,
            adminPort,
            dir,
            readinessPort,
            args,
            sandbox);
    try {
      agent.awaitEnvoy(Duration.ofSeconds(90));
    } catch (RuntimeException e) {
      // another uid in a namespace: nothing else would stop it (the namespace's deletion does not)
      agent.process.destroyForcibly();
      throw e;
    }
    return agent;
  }

  /**
   * Starts an agent for a Dataplane the control plane already has (the Pod controller's, on
   * Kubernetes), as a sidecar runs: by name, with its token; returns once its Envoy answers.
   */
  public static AgentProcess startNamed(
      String cpAddress,
      Path caCert,
      String token,
      String mesh,
      String name,
      int adminPort,
      Path dir) {
    AgentProcess agent = launchNamed(cpAddress, caCert, token, mesh, name, adminPort, dir);
    agent.awaitEnvoy(Duration.ofSeconds(90));
    return agent;
  }

  /** Like {@link #startNamed}, without waiting for anything. */
  public static AgentProcess launchNamed(
      String cpAddress,
      Path caCert,
      String token,
      String mesh,
      String name,
      int adminPort,
      Path dir) {
    return launch(
        cpAddress,
        caCert,
        token,
        null,
        adminPort,
        dir,
        0,
        List.of("--mesh", mesh, "--name", name, "--admin-port", String.valueOf(adminPort)));
  }

  /** Starts an agent for the Dataplane YAML given; returns once its Envoy answers on admin. */
  public static AgentProcess start(
      String cpAddress, Path caCert, String token, String dataplaneYaml, int adminPort, Path dir) {
    return start(cpAddress, caCert, token, dataplaneYaml, adminPort, dir, List.of());
  }

  /** Like {@link #start}, with more {@code kodiak-dp run} options. */
  public static AgentProcess start(
      String cpAddress,
      Path caCert,
      String token,
      String dataplaneYaml,
      int adminPort,
      Path dir,
      List<String> extraArgs) {
    AgentProcess agent =
        launch(cpAddress, caCert, token, dataplaneYaml, adminPort, dir, 0, extraArgs);
    agent.awaitEnvoy(Duration.ofSeconds(90));
    return agent;
  }

  /**
   * Starts an agent without waiting for anything (its readiness endpoint on {@code readinessPort}).
   *
   * @param caCert the control plane's CA for an https address, or null
   * @param token its dataplane token, or null to send none
   */
  public static AgentProcess launch(
      String cpAddress,
      Path caCert,
      String token,
      String dataplaneYaml,
      int adminPort,
      Path dir,
      int readinessPort) {
    return launch(
        cpAddress, caCert, token, dataplaneYaml, adminPort, dir, readinessPort, List.of());
  }

  private static AgentProcess launch(
      String cpAddress,
      Path caCert,
      String token,
      String dataplaneYaml,
      int adminPort,
      Path dir,
      int readinessPort,
      List<String> extraArgs) {
    return launch(
        cpAddress,
        caCert,
        token,
        dataplaneYaml,
        adminPort,
        dir,
        readinessPort,
        extraArgs,
        Sandbox.HOST);
  }

  private static AgentProcess launch(
      String cpAddress,
      Path caCert,
      String token,
      String dataplaneYaml,
      int adminPort,
      Path dir,
      int readinessPort,
      List<String> extraArgs,
      Sandbox sandbox) {
    try {
      Files.createDirectories(dir);
      List<String> dataplaneArgs = List.of(); // none: a Dataplane the control plane has (--name)
      if (dataplaneYaml != null) {
        Path file = dir.resolve("dataplane.yaml");
        Files.writeString(file, dataplaneYaml);
        dataplaneArgs = List.of("--dataplane-file", file.toString());
      }
      List<String> tokenArgs = List.of();
      if (token != null) {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, token);
        tokenArgs = List.of("--dataplane-token-file", tokenFile.toString());
      }
      Path log = dir.resolve("agent.log");
      int metricsPort = Ports.free();
      String java = ProcessHandle.current().info().command().orElse("java");
      List<String> command =
          new ArrayList<>(
              List.of(
                  java,
                  "-Xmx64m",
                  "-XX:+UseSerialGC",
                  "-cp",
                  sandbox.classpath(TARGET),
                  "io.kodiak.dp.KodiakDp",
                  "run",
                  "--cp-address",
                  cpAddress,
                  "--binary-path",
                  sandbox.envoy().toString(),
                  "--readiness-port",
                  String.valueOf(readinessPort),
                  "--drain-time",
                  "1s",
                  "--concurrency",
                  "1",
                  "--workdir",
                  dir.resolve("work").toString(),
                  "--metrics-port",
                  String.valueOf(metricsPort),
                  "--metrics-address",
                  "127.0.0.1"));
      command.addAll(dataplaneArgs);
      command.addAll(tokenArgs);
      command.addAll(extraArgs);
      if (caCert != null) {
        command.addAll(List.of("--ca-cert-file", caCert.toString()));
      }
      sandbox.handOver(dir);
      ProcessBuilder builder = new ProcessBuilder(sandbox.wrap(command));
      builder
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      return new AgentProcess(builder.start(), adminPort, log, metricsPort, sandbox);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The agent's Prometheus endpoint port (MeshMetric). */
  public int metricsPort() {
    return metricsPort;
  }

  /** Waits until this agent's Envoy answers on its admin port. */
  public void awaitEnvoy(Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !process.isAlive() || adminAnswers());
    if (!process.isAlive()) {
      throw new IllegalStateException("kodiak-dp exited; log:\n" + log());
    }
  }

  /** The Envoy process this agent runs, if any. */
  public Optional<ProcessHandle> envoy() {
    return process
        .descendants()
        .filter(p -> p.info().commandLine().orElse("").contains("bootstrap.yaml"))
        .filter(p -> !p.info().command().orElse("").endsWith("setpriv"))
        .reduce((a, b) -> b);
  }

  /** Envoy's live config dump (admin API). */
  public String configDump() {
    return admin("config_dump?include_eds");
  }

  /** Envoy's non-zero counters (admin /stats), for diagnosing failures. */
  public String stats() {
    return admin("stats")
        .lines()
        .filter(l -> !l.endsWith(": 0"))
        .filter(
            l ->
                l.contains("cx_destroy")
                    || l.contains("rq_reset")
                    || l.contains("drain")
                    || l.contains("rx_reset")
                    || l.contains("protocol_error")
                    || l.contains("premature")
                    || l.contains("filter_chain")
                    || l.contains("overflow")
                    || l.contains("5xx")
                    || l.contains("timeout"))
        .collect(Collectors.joining("\n"));
  }

  /**
   * One of Envoy's gauges or counters by exact name, such as {@code control_plane.connected_state}.
   */
  public long stat(String name) {
    String prefix = name + ": ";
    String filter = "^" + name.replace(".", "\\.") + "$";
    return admin("stats?filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8))
        .lines()
        .filter(l -> l.startsWith(prefix))
        .mapToLong(l -> Long.parseLong(l.substring(prefix.length()).trim()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("Envoy has no stat " + name));
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /** SIGKILL the agent; its Envoy dies with it. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: the agent drains and stops Envoy, then exits. Returns its exit code. */
  public int stop() throws InterruptedException {
    process.destroy();
    return process.waitFor();
  }

  public boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }

  private boolean adminAnswers() {
    try {
      return !admin("ready").isEmpty();
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  private String admin(String path) {
    return sandbox.admin(adminPort, path);
  }
}
