package io.kodiak.dp.envoy;

import io.kodiak.dp.accesslog.TcpLogRelay;
import io.kodiak.dp.bootstrap.Backoff;
import io.kodiak.dp.workdir.WorkDir;
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
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Envoy with a bootstrap, restarts it with backoff when it dies, and on {@link #stop} drains
 * its listeners gracefully before terminating it. One supervisor per agent; thread-safe.
 */
public final class EnvoySupervisor {
  private static final Logger LOG = LoggerFactory.getLogger(EnvoySupervisor.class);
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  private final Path binary;
  private final WorkDir workdir;
  private final int adminPort;
  private final Options options;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private volatile boolean stopping;
  private volatile Process envoy;
  private volatile Thread runner;

  /** Envoy's command-line settings. */
  public record Options(int concurrency, Duration drainTime, String logLevel) {}

  public EnvoySupervisor(Path binary, WorkDir workdir, int adminPort, Options options) {
    this.binary = binary;
    this.workdir = workdir;
    this.adminPort = adminPort;
    this.options = options;
  }

  /**
   * Runs Envoy until {@link #stop}; each (re)start first asks {@code bootstrap} for a fresh config.
   * Returns when stopped.
   */
  public void run(Callable<String> bootstrap) throws Exception {
    runner = Thread.currentThread();
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10));
    while (!stopping) {
      Path config = workdir.writeBootstrap(bootstrap.call());
      long started = System.nanoTime();
      synchronized (this) {
        if (stopping) {
          return;
        }
        envoy = start(config);
      }
      int code = envoy.waitFor();
      if (stopping) {
        return;
      }
      if (Duration.ofNanos(System.nanoTime() - started).toSeconds() > 30) {
        backoff.reset();
      }
      LOG.warn("envoy exited with code {}; restarting in {}", code, backoff.peek());
      backoff.sleep();
    }
  }

  /** Drains listeners (up to the drain time), then terminates Envoy. */
  public void stop() {
    Process process;
    synchronized (this) {
      stopping = true;
      process = envoy;
    }
    if (process == null || !process.isAlive()) {
      Thread waiting = runner;
      if (waiting != null) {
        waiting.interrupt(); // waiting for a bootstrap or a restart: give up now
      }
      return;
    }
    try {
      http.send(
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + adminPort + "/drain_listeners?graceful"))
              .POST(HttpRequest.BodyPublishers.noBody())
              .timeout(Duration.ofSeconds(2))
              .build(),
          HttpResponse.BodyHandlers.discarding());
      LOG.info("draining Envoy's listeners for up to {}", options.drainTime());
      process.waitFor(options.drainTime().toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      LOG.info("could not ask Envoy to drain ({}); stopping it", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Whether Envoy says it is ready ({@code /ready} answers LIVE). */
  public boolean ready() {
    try {
      HttpResponse<String> res =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ready"))
                  .timeout(Duration.ofSeconds(1))
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

  private Process start(Path config) throws IOException {
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(SETPRIV)) {
      // Envoy must not outlive a killed agent: its endpoints would stay in the mesh. The kernel
      // sends it SIGKILL when the thread that started it (this supervisor's) dies.
      command.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
    }
    command.addAll(
        List.of(
            binary.toString(),
            "-c",
            config.toString(),
            "--drain-time-s",
            String.valueOf(Math.max(1, options.drainTime().toSeconds())),
            "--concurrency",
            String.valueOf(options.concurrency()),
            "--use-dynamic-base-id",
            "--log-level",
            options.logLevel()));
    LOG.info("starting envoy: {}", String.join(" ", command));
    // Envoy's stdout carries access logs (its own log is on stderr): MeshAccessLog Tcp lines are
    // relayed to their receivers, the rest passes through.
    Process process =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    TcpLogRelay.start(process.getInputStream());
    return process;
  }
}
