package io.kodiak.bench.kubernetes;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.kodiak.cp.ControlPlane;
import io.kodiak.cp.config.ConfigLoader;
import io.kodiak.k8s.testing.KodiakCrds;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.k8s.testing.Kubelet;
import io.kodiak.k8s.testing.KumaYaml;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issue 13's speed figure: from a Pod's status being written Running (as a kubelet would) to its
 * endpoint being in a caller's real Envoy, through the real API server, the Pod controller, the
 * store's watch and xDS. Two runs over N Pods of one Service: one Pod at a time (each waits for the
 * previous), then all N at once (a Deployment scaled up). Usage: {@code PodStartupBench N
 * ENVOY_BINARY}; run from the repository root (kodiak-bench/kubernetes.sh). Then a MeshTimeout
 * applied with kubectl ten times, each time until the caller's Envoy has it (K3).
 */
public final class PodStartupBench {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    int pods = Integer.parseInt(args[0]);
    String envoy = args[1];
    Path work = Files.createTempDirectory("kodiak-pod-bench-");
    List<Process> processes = new ArrayList<>();
    try (KubeApiServer api = KodiakCrds.startApiServer()) {
      Kubelet kubelet = new Kubelet(api);
      kubelet.createMeshedNamespace("shop", Map.of());
      Map<String, String> env = loopbackPorts();
      env.put("KODIAK_DATA_DIR", work.resolve("cp").toString());
      env.put("KODIAK_STORE_TYPE", "kubernetes");
      env.put("KODIAK_STORE_KUBERNETES_KUBECONFIG", api.kubeconfig().toString());
      try (ControlPlane cp = ControlPlane.start(ConfigLoader.load(Optional.empty(), env))) {
        kubelet.createService(
            "shop", "backend", Map.of("app", "backend"), 80, new IntOrString(8080), "http");
        int admin = freePort();
        kubelet.createPod(
            "shop",
            "caller-1",
            Map.of("app", "caller"),
            Map.of(
                "kuma.io/sidecar-injected", "true",
                "kuma.io/envoy-admin-port", String.valueOf(admin),
                "kuma.io/transparent-proxying-reachable-services", "backend_shop_svc_80"),
            Map.of());
        kubelet.run("shop", "caller-1", "127.0.1.1", true);
        Path token = work.resolve("caller-token");
        Files.writeString(token, kubelet.podToken("shop", "caller-1"));
        processes.add(
            agent(
                cp,
                work.resolve("cp"),
                "caller-1.shop",
                admin,
                token,
                envoy,
                work.resolve("caller.log")));
        waitFor(() -> clusters(admin).contains("backend_shop_svc_80"), "the caller's Envoy");
        System.out.printf(
            "# Pod Running -> endpoint in a caller's Envoy, %d Pods, %d cores%n",
            pods, Runtime.getRuntime().availableProcessors());
        long[] one = new long[pods];
        for (int i = 0; i < pods; i++) {
          String name = "one-" + i;
          String ip = "127.0.2." + (i + 1);
          kubelet.createPod("shop", name, Map.of("app", "backend"), injected(), Map.of());
          long start = System.nanoTime();
          kubelet.run("shop", name, ip, true);
          waitFor(() -> clusters(admin).contains(ip + ":8080"), ip);
          one[i] = System.nanoTime() - start;
        }
        print("K1 one Pod at a time", one, "Pods");
        for (int i = 0; i < pods; i++) {
          kubelet.createPod("shop", "burst-" + i, Map.of("app", "backend"), injected(), Map.of());
        }
        Map<String, Long> written = new ConcurrentHashMap<>();
        Map<String, Long> seen = new ConcurrentHashMap<>();
        Thread poller =
            new Thread(
                () -> {
                  while (seen.size() < pods) {
                    String now = clusters(admin);
                    long at = System.nanoTime();
                    for (int i = 0; i < pods; i++) {
                      String ip = "127.0.3." + (i + 1);
                      if (!seen.containsKey(ip) && now.contains(ip + ":8080")) {
                        seen.put(ip, at);
                      }
                    }
                  }
                });
        poller.start();
        for (int i = 0; i < pods; i++) {
          String ip = "127.0.3." + (i + 1);
          written.put(ip, System.nanoTime());
          kubelet.run("shop", "burst-" + i, ip, true);
        }
        poller.join(Duration.ofSeconds(120).toMillis());
        long[] burst = new long[pods];
        for (int i = 0; i < pods; i++) {
          String ip = "127.0.3." + (i + 1);
          burst[i] = seen.getOrDefault(ip, Long.MAX_VALUE) - written.get(ip);
        }
        print("K2 all at once", burst, "Pods");
        long[] policy = new long[10];
        for (int i = 0; i < policy.length; i++) {
          String idle = (301 + i) + "s";
          Path file = work.resolve("timeout-" + i + ".yaml");
          Files.writeString(
              file, KumaYaml.meshTimeout("bench-timeout", "kodiak-system", "idleTimeout: " + idle));
          api.kubectl("apply", "-f", file.toString());
          long applied = System.nanoTime(); // kubectl has returned: the API server holds it
          String expected = "\"idle_timeout\": \"" + idle + "\"";
          waitFor(() -> configDump(admin).contains(expected), "idle timeout " + idle);
          policy[i] = System.nanoTime() - applied;
        }
        print("K3 a MeshTimeout applied with kubectl -> the caller's Envoy", policy, "applies");
      }
      restTwin(envoy, work, processes);
    } finally {
      processes.forEach(Process::destroy);
    }
  }

  /**
   * K3's twin over REST, to compare with: a Universal control plane on the embedded store, one
   * caller proxy (kodiak-dp and Envoy) with the same outbound, the same MeshTimeout PUT ten times,
   * each time until the caller's Envoy has it.
   */
  private static void restTwin(String envoy, Path work, List<Process> processes) throws Exception {
    Path data = work.resolve("rest-cp");
    Map<String, String> env = loopbackPorts();
    env.put("KODIAK_DATA_DIR", data.toString());
    try (ControlPlane cp = ControlPlane.start(ConfigLoader.load(Optional.empty(), env))) {
      String api = "http://127.0.0.1:" + cp.apiPort();
      String admin = Files.readString(data.resolve("admin-token")).trim();
      int adminPort = freePort();
      send(
          admin,
          "PUT",
          api + "/meshes/default/dataplanes/caller-1",
          """
          {"type": "Dataplane", "mesh": "default", "name": "caller-1",
           "networking": {"address": "127.0.1.2", "admin": {"port": %d},
             "inbound": [{"port": 18080, "tags": {"kuma.io/service": "caller"}}],
             "outbound": [{"port": 10080, "tags": {"kuma.io/service": "backend"}}]}}"""
              .formatted(adminPort));
      Path token = work.resolve("rest-caller-token");
      Files.writeString(
          token,
          send(
              admin,
              "POST",
              api + "/tokens/dataplane",
              "{\"mesh\": \"default\", \"name\": \"caller-1\"}"));
      processes.add(agent(cp, data, "caller-1", adminPort, token, envoy, work.resolve("rest.log")));
      waitFor(() -> clusters(adminPort).contains("backend"), "the REST caller's Envoy");
      long[] policy = new long[10];
      for (int i = 0; i < policy.length; i++) {
        String idle = (401 + i) + "s";
        send(
            admin,
            "PUT",
            api + "/meshes/default/meshtimeouts/bench-timeout",
            """
            {"type": "MeshTimeout", "mesh": "default", "name": "bench-timeout",
             "spec": {"targetRef": {"kind": "Mesh"},
               "to": [{"targetRef": {"kind": "Mesh"}, "default": {"idleTimeout": "%s"}}]}}"""
                .formatted(idle));
        long applied = System.nanoTime(); // the API has answered: the store holds it
        String expected = "\"idle_timeout\": \"" + idle + "\"";
        waitFor(() -> configDump(adminPort).contains(expected), "idle timeout " + idle);
        policy[i] = System.nanoTime() - applied;
      }
      print("K3 over REST (Universal, embedded store), for comparison", policy, "applies");
    }
  }

  private static String send(String token, String method, String url, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> res =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          method + " " + url + ": " + res.statusCode() + " " + res.body());
    }
    return res.body();
  }

  /** Every port ephemeral, every interface loopback. */
  private static Map<String, String> loopbackPorts() {
    Map<String, String> env = new HashMap<>();
    for (String port :
        List.of(
            "KODIAK_API_SERVER_HTTP_PORT",
            "KODIAK_API_SERVER_HTTPS_PORT",
            "KODIAK_DP_SERVER_PORT",
            "KODIAK_DIAGNOSTICS_PORT")) {
      env.put(port, "0");
    }
    env.put("KODIAK_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
    env.put("KODIAK_DP_SERVER_INTERFACE", "127.0.0.1");
    env.put("KODIAK_DIAGNOSTICS_INTERFACE", "127.0.0.1");
    return env;
  }

  /** kodiak-dp for a Dataplane the control plane has, with its token. */
  private static Process agent(
      ControlPlane cp, Path data, String name, int admin, Path token, String envoy, Path log)
      throws IOException {
    return new ProcessBuilder(
            "bin/kodiak-dp",
            "run",
            "--cp-address",
            "https://127.0.0.1:" + cp.dpServerPort(),
            "--ca-cert-file",
            data.resolve("cp-ca.pem").toString(),
            "--name",
            name,
            "--mesh",
            "default",
            "--admin-port",
            String.valueOf(admin),
            "--dataplane-token-file",
            token.toString(),
            "--binary-path",
            envoy,
            "--readiness-port",
            "0",
            "--metrics-port",
            "-1",
            "--concurrency",
            "1")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static Map<String, String> injected() {
    return Map.of("kuma.io/sidecar-injected", "true");
  }

  private static void print(String figure, long[] nanos, String what) {
    long[] ms = Arrays.stream(nanos).map(n -> n / 1_000_000).sorted().toArray();
    System.out.printf(
        "%s  p50 %d ms, p99 %d ms, max %d ms over %d %s%n",
        figure,
        ms[ms.length / 2],
        ms[Math.min(ms.length - 1, (int) Math.ceil(ms.length * 0.99) - 1)],
        ms[ms.length - 1],
        ms.length,
        what);
  }

  private static String clusters(int admin) {
    return admin(admin, "clusters");
  }

  private static String configDump(int admin) {
    return admin(admin, "config_dump");
  }

  private static String admin(int admin, String path) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/" + path)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up waiting for " + what);
      }
      Thread.sleep(2);
    }
  }

  private static int freePort() throws IOException {
    try (var socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
