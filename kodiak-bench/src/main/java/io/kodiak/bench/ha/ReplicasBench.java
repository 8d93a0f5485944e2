package io.kodiak.bench.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kodiak.store.testing.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Issue 14's speed figures, with two control-plane processes on one real PostgreSQL server (fsync
 * on) and real Envoys: H1 durable writes per second through one replica (concurrent clients, each
 * write acknowledged only once committed); H2 a write on replica A until an Envoy held by replica B
 * has it; H3 the leader killed with SIGKILL until the survivor leads (runs the singleton work); H4
 * the same kill until every proxy the killed replica held is back on a configuration it ACKed from
 * the survivor. H3 and H4 are measured over several rounds (the killed replica is started again
 * each time). Usage: {@code ReplicasBench WRITES ROUNDS ENVOY_BINARY}; run from the repository root
 * (kodiak-bench/replicas.sh).
 */
public final class ReplicasBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private static final int WRITERS = 32;

  public static void main(String[] args) throws Exception {
    int writes = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    String envoy = args[2];
    Path work = Files.createTempDirectory("kodiak-replicas-bench-");
    List<Process> agents = new ArrayList<>();
    List<Replica> replicas = new ArrayList<>();
    try (PostgresServer db = PostgresServer.start()) {
      db.createDatabase("bench");
      Replica a = Replica.start(work.resolve("a"), db, envoy);
      replicas.add(a);
      waitFor(a::leads, "replica a to lead");
      for (String file : List.of("cp-ca.pem", "cp-ca-key.pem", "cp-tls.pem", "cp-tls-key.pem")) {
        Files.createDirectories(work.resolve("b"));
        Files.copy(work.resolve("a").resolve(file), work.resolve("b").resolve(file));
      }
      Replica b = Replica.start(work.resolve("b"), db, envoy);
      replicas.add(b);
      System.out.printf(
          "# replicas: 2 control planes on PostgreSQL %s, %d cores%n",
          db.port(), Runtime.getRuntime().availableProcessors());
      durableWrites(a, writes);
      if (rounds == 0) {
        return; // H1 only (to profile it)
      }

      // two proxies, each listing both replicas; "on-a" starts on a, "on-b" on b
      Proxy onA = new Proxy("on-a", freePort());
      Proxy onB = new Proxy("on-b", freePort());
      agents.add(onA.start(a, List.of(a, b), envoy, work));
      agents.add(onB.start(a, List.of(b, a), envoy, work));
      waitFor(() -> onA.heldBy(a).equals(a.instanceId()), "on-a on replica a");
      waitFor(() -> onB.heldBy(b).equals(b.instanceId()), "on-b on replica b");
      writeToEnvoyOnOtherReplica(a, onB);

      long[] failover = new long[rounds];
      long[] orphans = new long[rounds];
      for (int round = 0; round < rounds; round++) {
        Replica leader = replicas.get(0).leads() ? replicas.get(0) : replicas.get(1);
        Replica survivor = leader == replicas.get(0) ? replicas.get(1) : replicas.get(0);
        waitFor( // both proxies settled, one on each replica when it can be
            () -> onA.acked(survivor) || onA.acked(leader), "on-a settled");
        long killed = System.nanoTime();
        leader.kill();
        waitFor(survivor::leads, "the survivor to lead");
        failover[round] = System.nanoTime() - killed;
        waitFor(() -> onA.acked(survivor) && onB.acked(survivor), "both proxies on the survivor");
        orphans[round] = System.nanoTime() - killed;
        replicas.set(replicas.indexOf(leader), leader.restart());
      }
      print("H3 leader killed -> the survivor runs the singleton work", failover, "failovers");
      print("H4 leader killed -> its proxies ACK a config from the survivor", orphans, "failovers");
    } finally {
      agents.forEach(Process::destroy);
      replicas.forEach(Replica::stop);
    }
  }

  /**
   * H1: WRITES MeshTimeouts PUT by concurrent clients through one replica, after as many again to
   * warm it up (a replica in production has long compiled its write path; a fresh JVM spends most
   * of its first seconds in the JIT compiler). Both rounds are printed.
   */
  private static void durableWrites(Replica replica, int writes) throws Exception {
    writeRound(replica, "warm-up", writes, "H1 first writes (cold JVM)");
    writeRound(replica, "bench", writes, "H1 durable writes through one replica");
    for (String prefix : List.of("warm-up", "bench")) { // gone again: H2 measures one policy
      for (int i = 0; i < writes; i++) {
        replica.send("DELETE", "/meshes/default/meshtimeouts/" + prefix + "-" + i, null);
      }
    }
  }

  private static void writeRound(Replica replica, String prefix, int writes, String figure)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    long start = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < WRITERS; t++) {
      done.add(
          pool.submit(
              () -> {
                for (int i = next.getAndIncrement(); i < writes; i = next.getAndIncrement()) {
                  String name = prefix + "-" + i;
                  try {
                    int status =
                        replica
                            .send(
                                "PUT", "/meshes/default/meshtimeouts/" + name, timeout(name, "61s"))
                            .statusCode();
                    if (status != 201) {
                      failed.incrementAndGet();
                    }
                  } catch (IOException | InterruptedException e) {
                    failed.incrementAndGet();
                  }
                }
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    System.out.printf(
        "%s  %d writes in %.1f s: %.0f writes/s (%d concurrent clients, %d failed)%n",
        figure, writes, seconds, writes / seconds, WRITERS, failed.get());
  }

  /**
   * H2: a MeshTimeout PUT on replica {@code a}, until the Envoy held by the other replica has it.
   */
  private static void writeToEnvoyOnOtherReplica(Replica a, Proxy onB) throws Exception {
    int warmUp = 5; // the first writes after H1's mass deletion still find cold code paths
    long[] latency = new long[100];
    for (int i = -warmUp; i < latency.length; i++) {
      String idle = (501 + warmUp + i) + "s";
      int status =
          a.send("PUT", "/meshes/default/meshtimeouts/h2", timeout("h2", idle)).statusCode();
      long acknowledged = System.nanoTime(); // replica a answered: the database holds it
      if (status / 100 != 2) {
        throw new IllegalStateException("PUT h2: " + status);
      }
      String expected = "\"idle_timeout\": \"" + idle + "\"";
      waitFor(() -> onB.configDump().contains(expected), "idle timeout " + idle + " in on-b");
      if (i >= 0) {
        latency[i] = System.nanoTime() - acknowledged;
      }
    }
    print("H2 write on replica A -> Envoy held by replica B", latency, "writes");
  }

  private static String timeout(String name, String idle) {
    return "{\"type\":\"MeshTimeout\",\"mesh\":\"default\",\"name\":\""
        + name
        + "\",\"spec\":{\"targetRef\":{\"kind\":\"Mesh\"},\"to\":[{\"targetRef\":{\"kind\":\"Mesh\"},"
        + "\"default\":{\"idleTimeout\":\""
        + idle
        + "\"}}]}}";
  }

  /** One kodiak-dp and its Envoy, with an outbound to a service so the MeshTimeout applies. */
  private record Proxy(String name, int admin) {
    Process start(Replica issuer, List<Replica> replicas, String envoy, Path work)
        throws Exception {
      issuer.send(
          "PUT",
          "/meshes/default/dataplanes/" + name,
          """
          {"type": "Dataplane", "mesh": "default", "name": "%s",
           "networking": {"address": "127.0.0.1", "admin": {"port": %d},
             "inbound": [{"port": %d, "tags": {"kuma.io/service": "%s"}}],
             "outbound": [{"port": %d, "tags": {"kuma.io/service": "backend"}}]}}"""
              .formatted(name, admin, freePort(), name, freePort()));
      Path token = work.resolve(name + ".token");
      Files.writeString(
          token,
          issuer
              .send(
                  "POST",
                  "/tokens/dataplane",
                  "{\"mesh\": \"default\", \"name\": \"" + name + "\"}")
              .body());
      String addresses = String.join(",", replicas.stream().map(Replica::dpServerUrl).toList());
      return new ProcessBuilder(
              "bin/kodiak-dp",
              "run",
              "--cp-address",
              addresses,
              "--ca-cert-file",
              work.resolve("a/cp-ca.pem").toString(),
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
          .redirectOutput(work.resolve(name + ".log").toFile())
          .start();
    }

    /** The replica instance holding this proxy's open stream, as {@code cp} shows it. */
    String heldBy(Replica cp) {
      JsonNode latest = latest(cp);
      return latest == null || latest.has("disconnectTime")
          ? ""
          : latest.path("controlPlaneInstanceId").asText();
    }

    /** Whether this proxy's open stream is on {@code cp} and ACKed a config from it. */
    boolean acked(Replica cp) {
      JsonNode latest = latest(cp);
      return latest != null
          && !latest.has("disconnectTime")
          && latest.path("controlPlaneInstanceId").asText().equals(cp.instanceId())
          && latest.at("/status/total/responsesAcknowledged").asLong() > 0;
    }

    private JsonNode latest(Replica cp) {
      try {
        HttpResponse<String> res =
            cp.send("GET", "/meshes/default/dataplanes/" + name + "/_overview", null);
        if (res.statusCode() != 200) {
          return null;
        }
        JsonNode subscriptions = JSON.readTree(res.body()).at("/dataplaneInsight/subscriptions");
        return subscriptions.isEmpty() ? null : subscriptions.get(subscriptions.size() - 1);
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    String configDump() {
      try {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/config_dump"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
      } catch (IOException e) {
        return "";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "";
      }
    }
  }

  static void print(String figure, long[] nanos, String what) {
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

  static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
