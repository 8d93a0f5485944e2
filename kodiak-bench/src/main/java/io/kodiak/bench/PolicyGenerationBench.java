package io.kodiak.bench;

import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.cp.resources.Validators;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.policy.PolicyModules;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.memory.InMemoryResourceStore;
import io.kodiak.xds.generate.ProxyConfigGenerator;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.proxy.ProxyModels;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the policy plugins cost per proxy: generation of one proxy's config with no policies, and
 * with Kuma's default policies (timeout, retry, circuit breaker) plus a MeshHTTPRoute split and a
 * MeshHealthCheck per destination. Mesh: S services x 2 instances, each proxy calling K of them.
 * Prints the median and p99 over many runs after a warm-up.
 */
public final class PolicyGenerationBench {
  private PolicyGenerationBench() {}

  public static void main(String[] args) {
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int outbounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    MeshSnapshot bare = mesh(services, outbounds, false);
    MeshSnapshot withPolicies = mesh(services, outbounds, true);
    ProxyModel proxy = bare.proxies().get("svc-0-a");
    ProxyConfigGenerator base = new ProxyConfigGenerator().sharingNothing();
    // each run regenerates the same snapshot: built whole, or every run after the first would reuse
    // its shared outbounds
    ProxyConfigGenerator all = new ProxyConfigGenerator(PolicyModules.plugins()).sharingNothing();
    System.out.printf(
        "# policy generation: %d services x 2 instances, %d outbounds per proxy, %d policies%n",
        services, outbounds, withPolicies.policies().values().stream().mapToInt(List::size).sum());
    report("generate.bare", () -> base.generate(bare, proxy));
    report("generate.policies", () -> all.generate(withPolicies, proxy));
    if (args.length > 2 && args[2].equals("--per-plugin")) {
      for (PolicyModule<?> module : PolicyModules.all()) {
        ProxyConfigGenerator one =
            new ProxyConfigGenerator(List.of(module.plugin())).sharingNothing();
        report("  " + module.type().name(), () -> one.generate(withPolicies, proxy));
      }
    }
  }

  private static void report(String name, Runnable generation) {
    for (int i = 0; i < 20_000; i++) {
      generation.run(); // warm-up: let the JIT compile the path
    }
    long[] micros = new long[2_000];
    for (int i = 0; i < micros.length; i++) {
      long start = System.nanoTime();
      generation.run();
      micros[i] = (System.nanoTime() - start) / 1_000;
    }
    Arrays.sort(micros);
    System.out.printf(
        "%-30s per proxy: median %d us, p99 %d us%n",
        name, micros[micros.length / 2], micros[micros.length * 99 / 100]);
  }

  static MeshSnapshot mesh(int services, int outbounds, boolean policies) {
    return mesh(services, outbounds, policies, false);
  }

  /**
   * @param portPerService each service is called on the same port by all its callers (as with
   *     transparent proxying, or a fleet that numbers its outbounds by service); otherwise the k-th
   *     outbound of every proxy is port 10000 + k, so the callers of one service use different
   *     ports
   */
  static MeshSnapshot mesh(int services, int outbounds, boolean policies, boolean portPerService) {
    List<ProxyModel> proxies = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      for (String instance : new String[] {"a", "b"}) {
        StringBuilder yaml =
            new StringBuilder(
                "type: Dataplane\nmesh: default\nname: svc-"
                    + s
                    + "-"
                    + instance
                    + "\nnetworking:\n  address: 10.0."
                    + (s / 200)
                    + "."
                    + (s % 200 + (instance.equals("a") ? 0 : 1))
                    + "\n  inbound:\n    - port: 20000\n      servicePort: 8080\n      tags: {kuma.io/service: svc-"
                    + s
                    + ", kuma.io/protocol: http, version: "
                    + (instance.equals("a") ? "v1" : "v2")
                    + "}\n  outbound:\n");
        for (int o = 1; o <= outbounds; o++) {
          yaml.append("    - port: ")
              .append(portPerService ? 10000 + (s + o) % services : 10000 + o)
              .append("\n      tags: {kuma.io/service: svc-")
              .append((s + o) % services)
              .append("}\n");
        }
        proxies.add(
            ProxyModels.fromDataplane(ResourceCodec.decode(Documents.parse(yaml.toString()))));
      }
    }
    Map<String, List<Resource>> byType = new HashMap<>();
    if (policies) {
      InMemoryResourceStore store = new InMemoryResourceStore(Clock.systemUTC());
      new ResourceManager(store, new Validators())
          .createSystemResource( // with Kuma's initial policies
              ResourceCodec.decode(Documents.parse("type: Mesh\nname: default\n")),
              "benchmark mesh");
      for (var type : ResourceCatalog.all()) {
        if (type.isPolicy()) {
          List<Resource> items = store.list(type, ListQuery.all(Optional.of("default"))).items();
          if (!items.isEmpty()) {
            byType.put(type.name(), new ArrayList<>(items));
          }
        }
      }
      for (int s = 0; s < services; s++) {
        add(
            byType,
            """
            type: MeshHTTPRoute
            mesh: default
            name: split-%1$d
            spec:
              targetRef: {kind: Mesh}
              to:
                - targetRef: {kind: MeshService, name: svc-%1$d}
                  rules:
                    - matches: [{path: {type: PathPrefix, value: /}}]
                      default:
                        backendRefs:
                          - {kind: MeshServiceSubset, name: svc-%1$d, tags: {version: v1}, weight: 90}
                          - {kind: MeshServiceSubset, name: svc-%1$d, tags: {version: v2}, weight: 10}
            """
                .formatted(s));
      }
      add(
          byType,
          """
          type: MeshHealthCheck
          mesh: default
          name: checks
          spec:
            targetRef: {kind: Mesh}
            to:
              - targetRef: {kind: Mesh}
                default: {interval: 10s, timeout: 2s, http: {path: /health}}
          """);
    }
    return MeshSnapshot.of("default", proxies, Set.of()).withPolicies(Optional.empty(), byType);
  }

  private static void add(Map<String, List<Resource>> byType, String yaml) {
    Resource policy = ResourceCodec.decode(Documents.parse(yaml));
    byType.computeIfAbsent(policy.type().name(), t -> new ArrayList<>()).add(policy);
  }
}
