package io.kodiak.bench.fleet;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The fleet benchmarks (issue 7) against a real {@code kodiak-cp} process with a fixed heap: N
 * simulated proxies (S services x 2 instances, K outbounds each, mTLS on) on delta ADS streams. B1
 * cold connect, B2 mesh-wide policy change, B3 endpoint churn (and which xDS types it pushes), B6
 * idle. Usage: FleetBench N [OUTBOUNDS] [IDLE_SECONDS]. Prints one line per figure.
 */
public final class FleetBench {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final int proxiesWanted;
  private final int outbounds;
  private final int idleSeconds;
  private Process cp;
  private Path cpLog;
  private String api;
  private int dpPort;
  private String token;
  private final List<SimulatedProxy> proxies = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  private FleetBench(int proxies, int outbounds, int idleSeconds) {
    this.proxiesWanted = proxies;
    this.outbounds = outbounds;
    this.idleSeconds = idleSeconds;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--memory")) {
      int[] steps = Arrays.stream(args).skip(1).mapToInt(Integer::parseInt).toArray();
      FleetBench bench = new FleetBench(Arrays.stream(steps).max().orElse(0), 5, 0);
      try {
        bench.memory(steps);
      } finally {
        bench.stop();
      }
      return;
    }
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    FleetBench bench =
        new FleetBench(
            n,
            args.length > 1 ? Integer.parseInt(args[1]) : 5,
            args.length > 2 ? Integer.parseInt(args[2]) : 30);
    try {
      bench.run();
    } finally {
      bench.stop();
    }
  }

  private void run() throws Exception {
    int services = startWithMesh();
    System.out.printf(
        "# fleet: %d proxies (%d services x 2), %d outbounds each, mTLS on; cp heap %s; cp log %s%n",
        proxiesWanted,
        services,
        outbounds,
        System.getenv().getOrDefault("KODIAK_CP_MAX_HEAP", "1g"),
        cpLog);
    coldConnect();
    settle();
    meshWideChange("B2 mesh-wide     ", "7s");
    settle();
    meshWideChange("B2 again (warm)  ", "8s"); // the same paths, now compiled by the JIT
    settle();
    endpointChurn(Math.min(10, services));
    settle();
    idle();
    warmReconnect();
  }

  /**
   * B1 again on a warm control plane: every stream drops and reconnects at once (a network blip, or
   * a proxy fleet restarted against a CP that has been running). The JIT has compiled the paths by
   * now, so this separates the cost of the work from that of a fresh JVM.
   */
  private void warmReconnect() throws InterruptedException {
    proxies.forEach(SimulatedProxy::disconnect);
    settle();
    Thread.sleep(3000); // let the departures be processed before the herd returns
    coldConnect("B1 warm reconnect");
  }

  /**
   * B4: the fleet grows through the given sizes; at each, once every proxy holds its config, the
   * control plane's live heap after a full GC (jcmd GC.run, then GC.heap_info) and its RSS.
   */
  private void memory(int[] steps) throws Exception {
    int services = startWithMesh();
    System.out.printf(
        "# memory: up to %d proxies (%d services x 2), %d outbounds each, mTLS on; cp heap %s%n",
        proxiesWanted,
        services,
        outbounds,
        System.getenv().getOrDefault("KODIAK_CP_MAX_HEAP", "1g"));
    long baseline = -1;
    int connected = 0;
    for (int step : steps) {
      for (; connected < step; connected++) {
        proxies.get(connected).connect(channels.get(connected % channels.size()));
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (proxies.subList(0, connected).stream().anyMatch(p -> p.fullAt == 0)
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      settle();
      long live = liveHeapBytes();
      if (baseline < 0) {
        baseline = live;
      }
      System.out.printf(
          "B4 memory         %6d proxies: live heap %4d MiB, RSS %4d MiB%s%s%n",
          connected,
          live >> 20,
          rssMiB(),
          connected == 0 || baseline < 0
              ? ""
              : String.format(
                  ", %.3f MB live heap per proxy over N = 0", (live - baseline) / 1e6 / connected),
          errors());
    }
  }

  /** The live heap after a full collection, from the JDK's own jcmd beside the CP's java. */
  private long liveHeapBytes() throws Exception {
    String javaPath = cp.toHandle().info().command().orElseThrow();
    String jcmd = Path.of(javaPath).resolveSibling("jcmd").toString();
    run(jcmd, String.valueOf(cpPid()), "GC.run");
    long used = 0;
    for (String line : run(jcmd, String.valueOf(cpPid()), "GC.heap_info").split("\n")) {
      // one line per generation ("DefNew total 15936K, used 9902K", "Tenured total ..."); spaces
      // have no total
      var m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(line);
      if (m.find()) {
        used += Long.parseLong(m.group(1)) * 1024;
      }
    }
    return used;
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  /**
   * Starts the control plane with an mTLS mesh; makes (does not connect) the proxies; returns S.
   */
  private int startWithMesh() throws Exception {
    startControlPlane();
    put(
        "/meshes/default",
        "{\"type\":\"Mesh\",\"name\":\"default\",\"mtls\":{\"enabledBackend\":\"ca-1\","
            + "\"backends\":[{\"name\":\"ca-1\",\"type\":\"builtin\"}]}}");
    Thread.sleep(
        3000); // let the mesh's mTLS phases (for live proxies) settle before anyone connects
    int services = Math.max(1, proxiesWanted / 2);
    for (int i = 0; i < proxiesWanted; i++) {
      int s = i % services;
      proxies.add(
          new SimulatedProxy(
              "default", "svc-" + s + "-" + (i / services), dataplane(i, s, services), true));
    }
    for (int c = 0; c < Math.max(1, proxiesWanted / 100); c++) {
      channels.add(
          NettyChannelBuilder.forAddress("127.0.0.1", dpPort)
              .usePlaintext()
              .maxInboundMessageSize(64 << 20)
              .build());
    }
    return services;
  }

  private String dataplane(int i, int s, int services) {
    StringBuilder out =
        new StringBuilder(
            "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"networking\":{\"address\":\"10."
                + (i >> 16 & 255)
                + "."
                + (i >> 8 & 255)
                + "."
                + (i & 255)
                + "\",\"inbound\":[{\"port\":20000,\"servicePort\":8080,"
                + "\"tags\":{\"kuma.io/service\":\"svc-"
                + s
                + "\",\"kuma.io/protocol\":\"http\"}}],\"outbound\":[");
    for (int o = 1; o <= outbounds; o++) {
      out.append(o > 1 ? "," : "")
          .append("{\"port\":")
          .append(10000 + o)
          .append(",\"tags\":{\"kuma.io/service\":\"svc-")
          .append((s + o) % services)
          .append("\"}}");
    }
    return out.append("]}}").toString();
  }

  /** B1: everyone connects at once; time until each holds (has ACKed) its full config. */
  private void coldConnect() throws InterruptedException {
    coldConnect("B1 cold connect  ");
  }

  private void coldConnect(String label) throws InterruptedException {
    double cpuBefore = cpuSeconds();
    Times before = times();
    long start = System.nanoTime();
    for (int i = 0; i < proxies.size(); i++) {
      proxies.get(i).connect(channels.get(i % channels.size()));
    }
    long deadline = start + Duration.ofMinutes(3).toNanos();
    while (proxies.stream().anyMatch(p -> p.fullAt == 0) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    long done =
        proxies.stream().mapToLong(p -> p.fullAt == 0 ? Long.MAX_VALUE : p.fullAt).max().orElse(0);
    long missing = proxies.stream().filter(p -> p.fullAt == 0).count();
    long[] each =
        proxies.stream()
            .filter(p -> p.fullAt != 0)
            .mapToLong(p -> p.fullAt - p.connectedAt)
            .toArray();
    System.out.printf(
        "%s all %d full in %s; per proxy %s%s; cp %.1f CPU-s, RSS %d MiB%n",
        label,
        proxies.size(),
        missing > 0 ? "- (" + missing + " never full)" : ms(done - start),
        percentiles(each),
        errors(),
        cpuSeconds() - cpuBefore,
        rssMiB());
    before.printSince();
  }

  /** Both processes' threads now: the control plane's and the simulator's own. */
  private record Times(ThreadTimes cp, ThreadTimes simulator, long cpPid) {
    void printSince() {
      System.out.printf(
          "  where the CPU went: cp %s%n                      simulator %s%n",
          ThreadTimes.of(cpPid).since(cp, "xds-sync"),
          ThreadTimes.of(ProcessHandle.current().pid()).since(simulator));
    }
  }

  private Times times() {
    return new Times(
        ThreadTimes.of(cpPid()), ThreadTimes.of(ProcessHandle.current().pid()), cpPid());
  }

  /** B2: one policy that changes every proxy's config; API write -> each proxy's last ACK. */
  private void meshWideChange(String label, String timeout) throws Exception {
    double cpuBefore = cpuSeconds();
    Times before = times();
    proxies.forEach(p -> p.arrivals.clear());
    long start = System.nanoTime();
    put(
        "/meshes/default/meshtimeouts/fleet-wide",
        "{\"type\":\"MeshTimeout\",\"mesh\":\"default\",\"name\":\"fleet-wide\","
            + "\"spec\":{\"targetRef\":{\"kind\":\"Mesh\"},\"to\":[{\"targetRef\":{\"kind\":\"Mesh\"},\"default\":"
            + "{\"connectionTimeout\":\""
            + timeout
            + "\"}}],\"from\":[{\"targetRef\":{\"kind\":\"Mesh\"},\"default\":"
            + "{\"connectionTimeout\":\""
            + timeout
            + "\"}}]}}");
    settle();
    long[] each =
        proxies.stream()
            .mapToLong(p -> p.arrivals.stream().mapToLong(a -> a.at()).max().orElse(0) - start)
            .filter(v -> v > 0)
            .toArray();
    System.out.printf(
        "%s write -> last ACK per proxy %s over %d proxies; cp %.1f CPU-s%n",
        label, percentiles(each), each.length, cpuSeconds() - cpuBefore);
    before.printSince();
  }

  /**
   * B3: an instance leaves and comes back; change -> watchers' ACK, and which types were pushed.
   */
  private void endpointChurn(int rounds) throws Exception {
    List<Long> latencies = new ArrayList<>();
    Map<String, Integer> types = new TreeMap<>();
    for (int round = 0; round < rounds; round++) {
      SimulatedProxy leaving = proxies.get(round);
      String service = leaving.name.substring(0, leaving.name.lastIndexOf('-'));
      proxies.forEach(p -> p.arrivals.clear());
      long start = System.nanoTime();
      leaving.disconnect();
      settle();
      for (SimulatedProxy p : proxies) {
        if (p == leaving) {
          continue;
        }
        p.arrivals.forEach(a -> types.merge(shortType(a.type()), 1, Integer::sum));
        p.arrivals.stream()
            .filter(a -> a.type().equals(SimulatedProxy.EDS))
            .mapToLong(a -> a.at() - start)
            .min()
            .ifPresent(latencies::add);
      }
      leaving.connect(channels.get(round % channels.size()));
      settle();
      if (service.isEmpty()) {
        break;
      }
    }
    System.out.printf(
        "B3 endpoint churn change -> watcher's EDS ACK %s over %d updates; pushed to watchers: %s%n",
        percentiles(latencies.stream().mapToLong(Long::longValue).toArray()),
        latencies.size(),
        types);
  }

  /** B6: nothing changes; CPU used and responses pushed. */
  private void idle() throws InterruptedException {
    proxies.forEach(p -> p.arrivals.clear());
    double cpuBefore = cpuSeconds();
    Thread.sleep(idleSeconds * 1000L);
    long pushed = proxies.stream().mapToLong(p -> p.arrivals.size()).sum();
    double cpu = cpuSeconds() - cpuBefore;
    System.out.printf(
        "B6 idle           %d s: cp %.2f CPU-s (%.2f %% of one core), %d responses pushed; RSS %d MiB%n",
        idleSeconds, cpu, 100 * cpu / idleSeconds, pushed, rssMiB());
  }

  /** Waits until no response has arrived anywhere for 2 s. */
  private void settle() throws InterruptedException {
    long quietSince = System.nanoTime();
    long seen = -1;
    while (System.nanoTime() - quietSince < Duration.ofSeconds(2).toNanos()) {
      long now = proxies.stream().mapToLong(p -> p.arrivals.size()).sum();
      if (now != seen) {
        seen = now;
        quietSince = System.nanoTime();
      }
      Thread.sleep(50);
    }
  }

  private String errors() {
    long failed = proxies.stream().filter(p -> p.error != null).count();
    return failed == 0
        ? ""
        : " ("
            + failed
            + " streams failed, e.g. "
            + proxies.stream().filter(p -> p.error != null).findFirst().get().error
            + ")";
  }

  private static String shortType(String url) {
    return url.substring(url.lastIndexOf('.') + 1);
  }

  private static String percentiles(long[] nanos) {
    if (nanos.length == 0) {
      return "(none)";
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return "p50 "
        + ms(sorted[(sorted.length - 1) / 2])
        + ", p90 "
        + ms(sorted[(int) ((sorted.length - 1) * 0.9)])
        + ", p99 "
        + ms(sorted[(int) ((sorted.length - 1) * 0.99)])
        + ", max "
        + ms(sorted[sorted.length - 1]);
  }

  private static String ms(long nanos) {
    return nanos >= 10_000_000_000L
        ? String.format("%.1f s", nanos / 1e9)
        : String.format("%d ms", nanos / 1_000_000);
  }

  // --- the control-plane process ---

  private void startControlPlane() throws Exception {
    Path data = Files.createTempDirectory("kodiak-fleet");
    int apiPort = freePort();
    dpPort = freePort();
    ProcessBuilder builder = new ProcessBuilder("bin/kodiak-cp", "run");
    Map<String, String> env = builder.environment();
    env.put("KODIAK_DATA_DIR", data.toString());
    env.put("KODIAK_API_SERVER_HTTP_PORT", String.valueOf(apiPort));
    env.put("KODIAK_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
    env.put("KODIAK_API_SERVER_HTTPS_PORT", String.valueOf(freePort()));
    env.put("KODIAK_DP_SERVER_PORT", String.valueOf(dpPort));
    env.put("KODIAK_DP_SERVER_INTERFACE", "127.0.0.1");
    env.put("KODIAK_DP_SERVER_TLS_ENABLED", "false"); // the simulated proxies speak plaintext gRPC
    env.put("KODIAK_DP_SERVER_AUTH", "none");
    env.put("KODIAK_DIAGNOSTICS_PORT", "0");
    env.putIfAbsent("KODIAK_CP_MAX_HEAP", "1g");
    env.putIfAbsent("KODIAK_LOG_LEVEL", "WARN");
    cpLog = data.resolve("cp.log");
    builder.redirectErrorStream(true).redirectOutput(cpLog.toFile());
    cp = builder.start();
    api = "http://127.0.0.1:" + apiPort;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        if (HTTP.send(
                    HttpRequest.newBuilder(URI.create(api + "/")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode()
            == 200) {
          break;
        }
      } catch (IOException e) {
        if (System.nanoTime() > deadline || !cp.isAlive()) {
          throw new IllegalStateException(
              "the control plane did not start; see " + data.resolve("cp.log"), e);
        }
      }
      Thread.sleep(50);
    }
    token = Files.readString(data.resolve("admin-token")).trim();
  }

  private void put(String path, String body) throws Exception {
    var res =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(api + path))
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() >= 300) {
      throw new IllegalStateException("PUT " + path + ": " + res.statusCode() + " " + res.body());
    }
  }

  private double cpuSeconds() {
    try {
      String[] stat = Files.readString(Path.of("/proc/" + cpPid() + "/stat")).split(" ");
      return (Long.parseLong(stat[13]) + Long.parseLong(stat[14])) / 100.0;
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  private long rssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + cpPid() + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return -1;
  }

  /** bin/kodiak-cp execs java, so the process is the JVM. */
  private long cpPid() {
    return cp.pid();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void stop() {
    proxies.forEach(SimulatedProxy::disconnect);
    channels.forEach(ManagedChannel::shutdownNow);
    if (cp != null) {
      cp.destroy();
      try {
        // Let it exit cleanly: a JFR recording or an AOT cache is written as the JVM exits.
        cp.waitFor(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
