package io.kodiak.cp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.cp.ControlPlane;
import io.kodiak.cp.config.ConfigLoader;
import io.kodiak.cp.config.CpConfig;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.model.codec.Documents;
import io.kodiak.store.testing.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real control plane started in this JVM on a free loopback port with its own data directory,
 * plus a small HTTP client for tests. Close it to stop it. Every instance started and not yet
 * closed is listed by {@link #live()}, so checks that run after each test (kodiak-e2e's {@code
 * MeshInvariants}) find the control planes a test left running. Thread-safe.
 */
public final class RunningControlPlane implements AutoCloseable {
  private static final Set<RunningControlPlane> LIVE = new LinkedHashSet<>();
  private final ControlPlane cp;
  private final Path dataDir;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private RunningControlPlane(ControlPlane cp, Path dataDir) {
    this.cp = cp;
    this.dataDir = dataDir;
  }

  /** Starts a control plane with the embedded store in {@code dataDir} and any extra settings. */
  public static RunningControlPlane start(Path dataDir, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.put("KODIAK_DATA_DIR", dataDir.toString());
    all.put("KODIAK_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
    all.put("KODIAK_API_SERVER_HTTP_PORT", "0");
    all.putIfAbsent("KODIAK_DP_SERVER_PORT", "0");
    all.putIfAbsent("KODIAK_API_SERVER_HTTPS_PORT", "0");
    all.putIfAbsent("KODIAK_DIAGNOSTICS_PORT", "0");
    all.putIfAbsent("KODIAK_DIAGNOSTICS_INTERFACE", "127.0.0.1");
    all.putIfAbsent("KODIAK_DP_SERVER_INTERFACE", "127.0.0.1");
    CpConfig config = ConfigLoader.load(Optional.empty(), all);
    RunningControlPlane running = new RunningControlPlane(ControlPlane.start(config), dataDir);
    synchronized (LIVE) {
      LIVE.add(running);
    }
    return running;
  }

  /** The control planes started in this JVM and not closed yet, oldest first. */
  public static List<RunningControlPlane> live() {
    synchronized (LIVE) {
      return List.copyOf(LIVE);
    }
  }

  public static RunningControlPlane start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  /**
   * Starts a control plane on the Kubernetes store of {@code api} (its CRDs installed, its {@code
   * kodiak-system} namespace created).
   */
  public static RunningControlPlane onKubernetes(Path dataDir, KubeApiServer api) {
    return onKubernetes(dataDir, api, Map.of());
  }

  /** Like {@link #onKubernetes(Path, KubeApiServer)}, with more settings. */
  public static RunningControlPlane onKubernetes(
      Path dataDir, KubeApiServer api, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.put("KODIAK_STORE_TYPE", "kubernetes");
    all.put("KODIAK_STORE_KUBERNETES_KUBECONFIG", api.kubeconfig().toString());
    return start(dataDir, all);
  }

  /** Starts a replica on database {@code database} of {@code server} (PostgreSQL store). */
  public static RunningControlPlane onPostgres(
      Path dataDir, PostgresServer server, String database, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.putAll(postgresSettings(server, database));
    return start(dataDir, all);
  }

  /** The settings that point a control plane at {@code database} of {@code server}. */
  public static Map<String, String> postgresSettings(PostgresServer server, String database) {
    return Map.of(
        "KODIAK_STORE_TYPE",
        "postgres",
        "KODIAK_STORE_POSTGRES_HOST",
        server.host(),
        "KODIAK_STORE_POSTGRES_PORT",
        String.valueOf(server.port()),
        "KODIAK_STORE_POSTGRES_USER",
        PostgresServer.USER,
        "KODIAK_STORE_POSTGRES_PASSWORD",
        server.password(),
        "KODIAK_STORE_POSTGRES_DB_NAME",
        database,
        "KODIAK_STORE_POSTGRES_CONNECTION_TIMEOUT",
        "2s");
  }

  public String url() {
    return "http://127.0.0.1:" + cp.apiPort();
  }

  /** The dp-server address agents use ({@code --cp-address}): https unless TLS is turned off. */
  public String dpServerUrl() {
    return (caCertFile() == null ? "http" : "https") + "://127.0.0.1:" + cp.dpServerPort();
  }

  /** The control plane's CA (what agents pass as {@code --ca-cert-file}), or null without TLS. */
  public Path caCertFile() {
    Path ca = dataDir.resolve("cp-ca.pem");
    return Files.exists(ca) ? ca : null;
  }

  /** An HTTP client for the dp-server that trusts only the control plane's CA. */
  public HttpClient dpServerClient() {
    Path ca = caCertFile();
    return ca == null ? http : clientTrusting(ca);
  }

  /** An HTTP/1.1 client that trusts only the CA in {@code caPem}. */
  public static HttpClient clientTrusting(Path caPem) {
    try (var in = Files.newInputStream(caPem)) {
      var store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry(
          "cp", CertificateFactory.getInstance("X.509").generateCertificate(in));
      var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      var tls = SSLContext.getInstance("TLS");
      tls.init(null, trust.getTrustManagers(), null);
      return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public Path dataDir() {
    return dataDir;
  }

  public String adminToken() {
    try {
      return Files.readString(dataDir.resolve("admin-token")).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public ControlPlane controlPlane() {
    return cp;
  }

  /** Sends a request; {@code token} may be null for an anonymous one. */
  public Reply send(String method, String path, String body, String token) {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(url() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      req.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      req.header("Content-Type", "application/json");
    }
    try {
      HttpResponse<String> res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(
          res.statusCode(), res.body(), res.headers().firstValue("content-type").orElse(""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Reply get(String path) {
    return send("GET", path, null, null);
  }

  /** PUT as admin. */
  public Reply put(String path, String body) {
    return send("PUT", path, body, adminToken());
  }

  /** A dataplane token for one proxy, from {@code POST /tokens/dataplane}. */
  public String dataplaneToken(String mesh, String name) {
    Reply reply =
        send(
            "POST",
            "/tokens/dataplane",
            "{\"mesh\": \"" + mesh + "\", \"name\": \"" + name + "\"}",
            adminToken());
    if (reply.status() != 200) {
      throw new IllegalStateException("no token for " + mesh + "." + name + ": " + reply.body());
    }
    return reply.body();
  }

  /** DELETE as admin. */
  public Reply delete(String path) {
    return send("DELETE", path, null, adminToken());
  }

  @Override
  public void close() {
    synchronized (LIVE) {
      LIVE.remove(this);
    }
    cp.close();
  }

  /** An HTTP answer. */
  public record Reply(int status, String body, String contentType) {
    public JsonNode json() {
      return Documents.parse(body);
    }
  }
}
