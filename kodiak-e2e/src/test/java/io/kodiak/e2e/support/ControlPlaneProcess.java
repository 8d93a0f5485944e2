package io.kodiak.e2e.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * The real {@code kodiak-cp} program in its own process (built jar and libraries), so tests can
 * kill it with SIGKILL and start it again on the same data directory. Each one that started is
 * registered with {@link StartedControlPlanes}, so {@link MeshInvariants} checks it after the test.
 */
public final class ControlPlaneProcess implements AutoCloseable {
  private static final Path TARGET = Path.of("../kodiak-cp/target");
  private final Process process;
  private final Path log;
  private final int port;
  private final int dpPort;

  private ControlPlaneProcess(Process process, Path log, int port, int dpPort) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.dpPort = dpPort;
  }

  public static ControlPlaneProcess start(Path dataDir, Path log) {
    return start(dataDir, log, Ports.free(), Ports.free());
  }

  /** Starts on given ports, so a restarted control plane is found where the proxies look for it. */
  public static ControlPlaneProcess start(Path dataDir, Path log, int port, int dpPort) {
    return start(dataDir, log, port, dpPort, List.of());
  }

  /** Starts with extra arguments after {@code kodiak-cp run} (such as {@code --start-fresh}). */
  public static ControlPlaneProcess start(Path dataDir, Path log, List<String> runArgs) {
    return start(dataDir, log, Ports.free(), Ports.free(), runArgs);
  }

  /** Starts with a given maximum heap ({@code -Xmx}, such as {@code 64m}) instead of 128m. */
  public static ControlPlaneProcess startWithHeap(Path dataDir, Path log, String maxHeap) {
    return start(dataDir, log, Ports.free(), Ports.free(), List.of(), maxHeap);
  }

  /** Starts with more settings ({@code KODIAK_*} variables), such as another store's. */
  public static ControlPlaneProcess start(Path dataDir, Path log, Map<String, String> env) {
    return start(dataDir, log, Ports.free(), Ports.free(), List.of(), "128m", env);
  }

  private static ControlPlaneProcess start(
      Path dataDir, Path log, int port, int dpPort, List<String> runArgs) {
    return start(dataDir, log, port, dpPort, runArgs, "128m");
  }

  private static ControlPlaneProcess start(
      Path dataDir, Path log, int port, int dpPort, List<String> runArgs, String maxHeap) {
    return start(dataDir, log, port, dpPort, runArgs, maxHeap, Map.of());
  }

  private static ControlPlaneProcess start(
      Path dataDir,
      Path log,
      int port,
      int dpPort,
      List<String> runArgs,
      String maxHeap,
      Map<String, String> env) {
    try {
      long logOffset = Files.exists(log) ? Files.size(log) : 0;
      ProcessBuilder builder = builder(dataDir, log, port, dpPort, runArgs, maxHeap);
      builder.environment().putAll(env);
      ControlPlaneProcess cp = new ControlPlaneProcess(builder.start(), log, port, dpPort);
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> !cp.process.isAlive() || cp.answers());
      if (!cp.process.isAlive()) {
        throw new IllegalStateException(
            "kodiak-cp exited at start; log:\n" + Files.readString(log));
      }
      StartedControlPlanes.started(cp, logOffset);
      return cp;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How a control plane that was expected to refuse to start ended: its exit code and output. */
  public record Exit(int code, String output) {}

  /** Runs a control plane that should refuse to start, and waits for it to exit. */
  public static Exit startExpectingExit(Path dataDir, Path log) throws InterruptedException {
    try {
      long offset = Files.exists(log) ? Files.size(log) : 0;
      Process process =
          builder(dataDir, log, Ports.free(), Ports.free(), List.of(), "128m").start();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException("kodiak-cp did not exit; log:\n" + Files.readString(log));
      }
      String all = Files.readString(log);
      return new Exit(process.exitValue(), all.substring((int) Math.min(offset, all.length())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ProcessBuilder builder(
      Path dataDir, Path log, int port, int dpPort, List<String> runArgs, String maxHeap) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx" + maxHeap,
                "-XX:+UseSerialGC",
                "-cp",
                TARGET.resolve("kodiak-cp.jar") + ":" + TARGET.resolve("lib") + "/*",
                "io.kodiak.cp.KodiakCp",
                "run"));
    command.addAll(runArgs);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("KODIAK_DATA_DIR", dataDir.toString());
    builder.environment().put("KODIAK_API_SERVER_HTTP_PORT", String.valueOf(port));
    builder.environment().put("KODIAK_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
    builder.environment().put("KODIAK_DP_SERVER_PORT", String.valueOf(dpPort));
    builder.environment().put("KODIAK_DP_SERVER_INTERFACE", "127.0.0.1");
    builder.environment().put("KODIAK_API_SERVER_HTTPS_PORT", "0");
    builder.environment().putIfAbsent("KODIAK_DIAGNOSTICS_PORT", "0");
    builder
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return builder;
  }

  /** Whether the process is still running (it has not exited or crashed). */
  public boolean isAlive() {
    return process.isAlive();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The file its standard output and error are appended to. */
  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  /** The dp-server (TLS, the control plane's own CA in its data directory). */
  public String dpServerUrl() {
    return "https://127.0.0.1:" + dpPort;
  }

  public int port() {
    return port;
  }

  public int dpPort() {
    return dpPort;
  }

  /** SIGKILL: no shutdown hook, no flush, no goodbye. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      process.waitFor();
    }
  }

  private boolean answers() {
    try {
      HttpResponse<String> res =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url() + "/"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return res.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
