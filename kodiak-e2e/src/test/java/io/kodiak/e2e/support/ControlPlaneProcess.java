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
import java.util.List;

/**
 * The real {@code kodiak-cp} program in its own process (built jar and libraries), so tests can
 * kill it with SIGKILL and start it again on the same data directory.
 */
public final class ControlPlaneProcess implements AutoCloseable {
  private static final Path TARGET = Path.of("../kodiak-cp/target");
  private final Process process;
  private final int port;
  private final int dpPort;

  private ControlPlaneProcess(Process process, int port, int dpPort) {
    this.process = process;
    this.port = port;
    this.dpPort = dpPort;
  }

  public static ControlPlaneProcess start(Path dataDir, Path log) {
    return start(dataDir, log, Ports.free(), Ports.free());
  }

  /** Starts on given ports, so a restarted control plane is found where the proxies look for it. */
  public static ControlPlaneProcess start(Path dataDir, Path log, int port, int dpPort) {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx128m", "-XX:+UseSerialGC",
        "-cp", TARGET.resolve("kodiak-cp.jar") + ":" + TARGET.resolve("lib") + "/*", "io.kodiak.cp.KodiakCp", "run"));
    builder.environment().put("KODIAK_DATA_DIR", dataDir.toString());
    builder.environment().put("KODIAK_API_SERVER_HTTP_PORT", String.valueOf(port));
    builder.environment().put("KODIAK_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
    builder.environment().put("KODIAK_DP_SERVER_PORT", String.valueOf(dpPort));
    builder.environment().put("KODIAK_DP_SERVER_INTERFACE", "127.0.0.1");
    builder.environment().put("KODIAK_API_SERVER_HTTPS_PORT", "0");
    builder.environment().putIfAbsent("KODIAK_DIAGNOSTICS_PORT", "0");
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      ControlPlaneProcess cp = new ControlPlaneProcess(builder.start(), port, dpPort);
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
          .until(() -> !cp.process.isAlive() || cp.answers());
      if (!cp.process.isAlive()) {
        throw new IllegalStateException("kodiak-cp exited at start; log:\n" + Files.readString(log));
      }
      return cp;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + port;
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
      HttpResponse<String> res = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(url() + "/")).timeout(Duration.ofSeconds(2)).build(),
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
