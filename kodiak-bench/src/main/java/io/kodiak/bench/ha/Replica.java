package io.kodiak.bench.ha;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kodiak.store.testing.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** One kodiak-cp process of the replicas benchmark, on the shared database, on loopback ports. */
final class Replica {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final Path data;
  private final PostgresServer db;
  private final String envoy;
  private final int apiPort;
  private final int dpPort;
  private final int diagnosticsPort;
  private final Process process;
  private final String token;
  private final String instanceId;

  private Replica(
      Path data, PostgresServer db, String envoy, int apiPort, int dpPort, int diagnosticsPort)
      throws Exception {
    this.data = data;
    this.db = db;
    this.envoy = envoy;
    this.apiPort = apiPort;
    this.dpPort = dpPort;
    this.diagnosticsPort = diagnosticsPort;
    ProcessBuilder builder = new ProcessBuilder("bin/kodiak-cp", "run");
    Map<String, String> env = builder.environment();
    env.put("KODIAK_DATA_DIR", data.toString());
    env.put("KODIAK_API_SERVER_HTTP_PORT", String.valueOf(apiPort));
    env.put("KODIAK_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
    env.put("KODIAK_API_SERVER_HTTPS_PORT", String.valueOf(ReplicasBench.freePort()));
    env.put("KODIAK_DP_SERVER_PORT", String.valueOf(dpPort));
    env.put("KODIAK_DP_SERVER_INTERFACE", "127.0.0.1");
    env.put("KODIAK_DIAGNOSTICS_PORT", String.valueOf(diagnosticsPort));
    env.put("KODIAK_DIAGNOSTICS_INTERFACE", "127.0.0.1");
    env.put("KODIAK_STORE_TYPE", "postgres");
    env.put("KODIAK_STORE_POSTGRES_HOST", db.host());
    env.put("KODIAK_STORE_POSTGRES_PORT", String.valueOf(db.port()));
    env.put("KODIAK_STORE_POSTGRES_USER", PostgresServer.USER);
    env.put("KODIAK_STORE_POSTGRES_PASSWORD", db.password());
    env.put("KODIAK_STORE_POSTGRES_DB_NAME", "bench");
    env.putIfAbsent("KODIAK_CP_MAX_HEAP", "512m");
    Files.createDirectories(data);
    builder.redirectErrorStream(true).redirectOutput(data.resolve("cp.log").toFile());
    this.process = builder.start();
    ReplicasBench.waitFor(this::answers, "the control plane in " + data);
    this.token = Files.readString(data.resolve("admin-token")).trim();
    this.instanceId =
        JSON.readTree(HTTP.send(get("/"), HttpResponse.BodyHandlers.ofString()).body())
            .path("instanceId")
            .asText();
  }

  static Replica start(Path data, PostgresServer db, String envoy) throws Exception {
    return new Replica(
        data,
        db,
        envoy,
        ReplicasBench.freePort(),
        ReplicasBench.freePort(),
        ReplicasBench.freePort());
  }

  /** A new process on the same data directory and ports (proxies list its address). */
  Replica restart() throws Exception {
    return new Replica(data, db, envoy, apiPort, dpPort, diagnosticsPort);
  }

  String instanceId() {
    return instanceId;
  }

  String dpServerUrl() {
    return "https://127.0.0.1:" + dpPort;
  }

  HttpResponse<String> send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Whether this replica's /metrics says it leads. */
  boolean leads() {
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + diagnosticsPort + "/metrics"))
              .timeout(Duration.ofSeconds(2))
              .build();
      return HTTP.send(req, HttpResponse.BodyHandlers.ofString())
          .body()
          .lines()
          .anyMatch(line -> line.startsWith("kodiak_leader ") && line.endsWith(" 1.0"));
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGKILL: nothing closes, the database sees its sessions drop. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  void stop() {
    process.destroy();
  }

  private boolean answers() {
    if (!process.isAlive()) {
      throw new IllegalStateException("the control plane exited; see " + data.resolve("cp.log"));
    }
    try {
      return HTTP.send(get("/"), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private HttpRequest get(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
        .timeout(Duration.ofSeconds(2))
        .build();
  }
}
