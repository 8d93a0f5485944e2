package io.kodiak.bench;

import io.kodiak.policy.PolicyModules;
import io.kodiak.xds.generate.ProxyConfig;
import io.kodiak.xds.generate.ProxyConfigGenerator;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyIdentity;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.sync.ProxyInputs;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * B5: one proxy's generation with about 5, 100, 150 and 1,000 clusters: it calls clusters / 3
 * services, each split 90/10 over two versions by a MeshHTTPRoute (three clusters per service: the
 * service and its two subsets, each with endpoints, plus a listener and a route), mTLS on, Kuma's
 * default policies and a MeshHealthCheck. {@code changed}: the full build the sync does when a
 * proxy's inputs changed (every plugin, content hashes). {@code unchanged}: what the sync does for
 * a proxy a change touched but whose inputs are equal (a fresh mesh snapshot compared with the last
 * one); it generates nothing. {@code sibling}: the other instance of the same service once the
 * first was built from the same snapshot (its outbounds are shared). Run by {@code
 * kodiak-bench/jmh.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GenerationJmh {
  @Param({"5", "100", "150", "1000"})
  public int clusters;

  private ProxyConfigGenerator generator;
  private ProxyConfigGenerator whole;
  private ProxyModel sibling;
  private MeshSnapshot mesh;
  private MeshSnapshot sameMeshRebuilt;
  private ProxyModel proxy;
  private Optional<ProxyIdentity> identity;
  private ProxyInputs last;
  private Set<String> reached;

  @Setup(Level.Trial)
  public void setUp() {
    BenchMtls benchMtls = BenchMtls.create();
    int services = Math.max(1, clusters / 3);
    MeshSnapshot base = PolicyGenerationBench.mesh(Math.max(services + 1, 2), services, true);
    mesh = base.withPolicies(Optional.of(benchMtls.mtls()), base.policies());
    proxy = mesh.proxies().get("svc-0-a");
    identity = benchMtls.identity();
    generator = new ProxyConfigGenerator(PolicyModules.plugins());
    whole = generator.sharingNothing();
    sibling = mesh.proxies().get("svc-0-b");
    ProxyConfig config = generator.generate(mesh, proxy, ProxyKind.ENVOY, identity);
    reached = config.services();
    last = ProxyInputs.of(mesh, proxy, ProxyKind.ENVOY, 1, identity, reached);
    // what the next flush sees: the same content in new objects (the models are reused, as the sync
    // does)
    sameMeshRebuilt =
        MeshSnapshot.of("default", mesh.proxies().values(), Set.of())
            .withPolicies(mesh.mtls(), mesh.policies());
    int resources =
        config.listeners().size()
            + config.routes().size()
            + config.clusters().size()
            + config.endpoints().size()
            + config.secrets().size();
    System.err.printf(
        "%n# %d clusters wanted: %d services called, the proxy gets %d resources (%d clusters)%n",
        clusters, services, resources, config.clusters().size());
  }

  /** The full build: nothing is shared (as for the first proxy after a change). */
  @Benchmark
  public ProxyConfig changed() {
    return whole.generate(mesh, proxy, ProxyKind.ENVOY, identity);
  }

  /**
   * The second instance of the service after the same change: its outbounds were built for the
   * first and are shared, so only its inbound half is its own.
   */
  @Benchmark
  public ProxyConfig sibling() {
    return generator.generate(mesh, sibling, ProxyKind.ENVOY, identity);
  }

  @Benchmark
  public boolean unchanged() {
    return ProxyInputs.of(sameMeshRebuilt, proxy, ProxyKind.ENVOY, 1, identity, reached)
        .sameAs(last);
  }
}
