package io.kodiak.k8s.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real etcd and kube-apiserver on loopback, for tests. There is no kubelet and no controller
 * manager: Pods stay Pending until a test writes their status, and nothing creates a namespace's
 * {@code default} ServiceAccount or finishes a namespace's deletion. Start one per test class:
 *
 * <pre>{@code
 * static KubeApiServer api;
 * @BeforeAll static void start() { api = KubeApiServer.start(); }
 * @AfterAll static void stop() { api.close(); }
 * }</pre>
 *
 * <p>The binaries come from {@code make k8s-tools}. Safe to share between threads once started;
 * {@link #close} once.
 */
public final class KubeApiServer implements AutoCloseable {
  /** Where {@code make k8s-tools} puts the tools; tests run in a module directory. */
  /** Where {@code make k8s-tools} put the binaries: a module's tests run one level down. */
  public static final Path TOOLS =
      Path.of(System.getProperty("kodiak.tools", "../.tools/bin")).toAbsolutePath().normalize();

  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final Path dir;
  private final String url;
  private final String adminToken;
  private final Path caCert;
  private final Path kubeconfig;
  private final List<LoggedProcess> processes = new ArrayList<>(); // in start order
  private final Thread killOnExit = new Thread(() -> processes.forEach(LoggedProcess::kill));
  private KubernetesClient client;

  private KubeApiServer(Path dir, int securePort, String adminToken) {
    this.dir = dir;
    this.url = "https://127.0.0.1:" + securePort;
    this.adminToken = adminToken;
    this.caCert = dir.resolve("certs/apiserver.crt"); // self-signed, written by kube-apiserver
    this.kubeconfig = dir.resolve("kubeconfig");
  }

  /**
   * Where Services get their cluster IPs by default: on loopback, so sidecars running as host
   * processes can bind them.
   */
  public static final String LOOPBACK_SERVICE_CIDR = "127.96.0.0/16";

  /** Starts etcd and kube-apiserver and returns once {@code /readyz} answers 200. */
  public static KubeApiServer start() {
    return start(LOOPBACK_SERVICE_CIDR);
  }

  /**
   * Like {@link #start()}, Services getting cluster IPs from {@code serviceCidr}: off loopback for
   * Pods in network namespaces, whose traffic to loopback is never redirected to their sidecar.
   */
  public static KubeApiServer start(String serviceCidr) {
    Path apiserverBinary = tool("kube-apiserver");
    Path etcdBinary = tool("etcd");
    tool("kubectl");
    int[] ports = freePorts(3);
    KubeApiServer server;
    try {
      server =
          new KubeApiServer(Files.createTempDirectory("kodiak-kube-"), ports[0], randomToken());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(server.killOnExit); // a test that forgot close()
    try {
      server.launch(etcdBinary, apiserverBinary, ports[1], ports[2], serviceCidr);
      return server;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      server.close();
      throw new IllegalStateException("the Kubernetes API server did not start: " + e, e);
    }
  }

  private void launch(
      Path etcdBinary, Path apiserverBinary, int etcdClient, int etcdPeer, String serviceCidr)
      throws IOException, GeneralSecurityException {
    String clientUrl = "http://127.0.0.1:" + etcdClient;
    String peerUrl = "http://127.0.0.1:" + etcdPeer;
    processes.add(
        LoggedProcess.start(
            "etcd",
            dir.resolve("etcd.log"),
            List.of(
                etcdBinary.toString(),
                "--name=kodiak",
                "--data-dir=" + dir.resolve("etcd"),
                "--listen-client-urls=" + clientUrl,
                "--advertise-client-urls=" + clientUrl,
                "--listen-peer-urls=" + peerUrl,
                "--initial-advertise-peer-urls=" + peerUrl,
                "--initial-cluster=kodiak=" + peerUrl,
                "--unsafe-no-fsync", // throwaway data; fsyncs only slow the shared disk
                "--log-level=warn")));

    ClusterFiles.ServiceAccountKeys keys = ClusterFiles.writeServiceAccountKeys(dir);
    Path tokens = ClusterFiles.writeAdminToken(dir, adminToken);
    processes.add(
        LoggedProcess.start(
            "kube-apiserver",
            dir.resolve("kube-apiserver.log"),
            List.of(
                apiserverBinary.toString(),
                "--etcd-servers=" + clientUrl,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=" + URI.create(url).getPort(),
                "--cert-dir=" + caCert.getParent(),
                "--service-cluster-ip-range=" + serviceCidr,
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-account-key-file=" + keys.publicKey(),
                "--service-account-signing-key-file=" + keys.privateKey(),
                "--token-auth-file=" + tokens,
                "--authorization-mode=RBAC",
                // WatchList (on by default in 1.34) makes a watch without resourceVersion a stream
                // that
                // needs etcd's RequestWatchProgress (3.5.13+): etcd 3.5.1 would fail every watch
                "--feature-gates=WatchList=false")));
    ClusterFiles.writeKubeconfig(kubeconfig, url, caCert, adminToken);
    awaitReady();
  }

  private void awaitReady() {
    HttpClient[] http = new HttpClient[1]; // once the API server has written its certificate
    try {
      await()
          .atMost(STARTUP)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                processes.forEach(LoggedProcess::checkAlive);
                if (http[0] == null && Files.exists(caCert)) {
                  try {
                    http[0] =
                        HttpClient.newBuilder().sslContext(ClusterFiles.trusting(caCert)).build();
                  } catch (IOException | GeneralSecurityException halfWritten) {
                    return false;
                  }
                }
                return http[0] != null && readyz(http[0]) == 200;
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "not ready after " + STARTUP + "; kube-apiserver's log ends:\n" + processes.get(1).tail(),
          e);
    }
  }

  private int readyz(HttpClient http) throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + "/readyz"))
            .header("Authorization", "Bearer " + adminToken)
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException notListeningYet) {
      return -1;
    }
  }

  /** A fabric8 client as the cluster admin (group system:masters). Closed with the server. */
  public synchronized KubernetesClient client() {
    if (client == null) {
      client = clientFor(adminToken);
    }
    return client;
  }

  /**
   * A new fabric8 client sending this bearer token (a service account's, a forged one); close it.
   * It speaks HTTP/1.1: kube-apiserver answers an unauthenticated HTTP/2 request and then sends
   * GOAWAY (its HTTP/2 DoS mitigation), on which JDK 17's client fails the request: no 401.
   */
  public KubernetesClient clientFor(String bearerToken) {
    Config config =
        new ConfigBuilder(Config.empty()) // empty: no ~/.kube/config, no environment
            .withMasterUrl(url)
            .withCaCertFile(caCert.toString())
            .withOauthToken(bearerToken)
            .withHttp2Disable(true)
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * Creates a namespace with its {@code default} ServiceAccount, as kube-controller-manager (not
   * running here) would: the ServiceAccount admission plugin refuses Pods whose account is missing.
   */
  public void createNamespace(String name) {
    client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    client()
        .serviceAccounts()
        .inNamespace(name)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("default").endMetadata().build())
        .create();
  }

  /** The API server's base URL, {@code https://127.0.0.1:<port>}. */
  public String url() {
    return url;
  }

  /** A bearer token of the cluster admin (group system:masters). */
  public String adminToken() {
    return adminToken;
  }

  /** The PEM file the API server's certificate verifies with. */
  public Path caCertificate() {
    return caCert;
  }

  /** A kubeconfig file for the admin, for kubectl and other real clients. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** {@code kubectl apply} of {@code yaml}, as a user applies a file; returns kubectl's output. */
  public String apply(String yaml) {
    try {
      Path file = Files.createTempFile(dir, "apply", ".yaml");
      Files.writeString(file, yaml);
      return kubectl("apply", "-f", file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the built kubectl against this server; returns its stdout, fails on a non-zero exit. */
  public String kubectl(String... args) {
    List<String> command = new ArrayList<>(List.of(tool("kubectl").toString(), "--kubeconfig"));
    command.add(kubeconfig.toString());
    command.addAll(List.of(args));
    try {
      Path err = Files.createTempFile(dir, "kubectl", ".err");
      Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "kubectl " + String.join(" ", args) + " failed: " + Files.readString(err));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops kube-apiserver, then etcd, and deletes the temp dir with their data and logs. */
  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
    }
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).stop();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running or ran
    }
    deleteRecursively(dir);
  }

  private static Path tool(String name) {
    Path path = TOOLS.resolve(name);
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(
          path
              + " is missing: run `make k8s-tools` (builds kube-apiserver and kubectl, "
              + "installs etcd; once)");
    }
    return path;
  }

  /** Ports free now on loopback; held open together so that they differ. */
  private static int[] freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // nothing to do
        }
      }
    }
  }

  /** A secret, not test data: random so a leftover server cannot be reused by accident. */
  private static String randomToken() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
