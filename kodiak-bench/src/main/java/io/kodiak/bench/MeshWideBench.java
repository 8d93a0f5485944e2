package io.kodiak.bench;

import io.kodiak.policy.PolicyModules;
import io.kodiak.xds.generate.ProxyConfigGenerator;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyIdentity;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * B2's generation half in-process: a mesh-wide change gives a new mesh snapshot, and every proxy of
 * the fleet's mesh (S services x 2 instances, 5 outbounds each, mTLS, Kuma's default policies plus
 * a MeshHTTPRoute split per service and a MeshHealthCheck) is generated from it, with outbounds
 * shared between proxies and with every proxy built whole. No network, no simulator: the figure is
 * the control plane's generation work alone. Usage: {@code MeshWideBench [SERVICES] [OUTBOUNDS]
 * [port-per-service]}: by default the k-th outbound of every proxy is port 10000 + k, as in the
 * fleet benchmark, so only the two instances of a service share outbounds; with {@code
 * port-per-service} every caller of a service uses the same port and they all share. {@code
 * -Druns=N} times N rounds each way (7), {@code -DsharedOnly=true} skips the whole builds (for a
 * profile of the shared path alone). The generating thread's CPU time is printed beside the wall
 * time: it holds still when something else runs on the machine.
 */
public final class MeshWideBench {
  private MeshWideBench() {}

  public static void main(String[] args) {
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int outbounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    BenchMtls benchMtls = BenchMtls.create();
    MeshMtls mtls = benchMtls.mtls();
    Optional<ProxyIdentity> identity = benchMtls.identity();
    boolean portPerService = args.length > 2 && args[2].equals("port-per-service");
    MeshSnapshot base = PolicyGenerationBench.mesh(services, outbounds, true, portPerService);
    ProxyConfigGenerator shared = new ProxyConfigGenerator(PolicyModules.plugins());
    System.out.printf(
        "# mesh-wide regeneration of %d proxies (%d services x 2, %d outbounds each, mTLS, %s)%n",
        base.proxies().size(),
        services,
        outbounds,
        portPerService ? "one port per service" : "outbound ports per caller, as the fleet");
    for (int round = 0; round < 2; round++) { // the first round warms the JIT
      report(round == 0 ? "warm-up shared" : "outbounds shared", base, mtls, shared, identity);
      if (Boolean.getBoolean("sharedOnly")) {
        continue;
      }
      report(
          round == 0 ? "warm-up whole" : "every proxy whole",
          base,
          mtls,
          shared.sharingNothing(),
          identity);
    }
  }

  private static void report(
      String name,
      MeshSnapshot base,
      MeshMtls mtls,
      ProxyConfigGenerator generator,
      Optional<ProxyIdentity> identity) {
    long[] millis = new long[Integer.getInteger("runs", 7)];
    long[] cpuMillis = new long[millis.length];
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < millis.length; i++) {
      long start = System.nanoTime();
      long cpuStart = threads.getCurrentThreadCpuTime();
      // what a change gives the sync: a new snapshot (the proxy models are reused)
      MeshSnapshot mesh =
          MeshSnapshot.of("default", base.proxies().values(), Set.of())
              .withPolicies(Optional.of(mtls), base.policies());
      for (ProxyModel proxy : mesh.proxies().values()) {
        generator.generate(mesh, proxy, ProxyKind.ENVOY, identity);
      }
      millis[i] = (System.nanoTime() - start) / 1_000_000;
      cpuMillis[i] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
    }
    Arrays.sort(millis);
    Arrays.sort(cpuMillis);
    System.out.printf(
        "%-20s all proxies: median %d ms, min %d ms, max %d ms; this thread's CPU median %d ms, min %d"
            + " ms (%d runs)%n",
        name,
        millis[millis.length / 2],
        millis[0],
        millis[millis.length - 1],
        cpuMillis[millis.length / 2],
        cpuMillis[0],
        millis.length);
  }
}
