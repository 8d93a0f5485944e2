package io.kodiak.policy.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.kodiak.policy.PolicyModules;
import io.kodiak.xds.generate.PolicyPlugin;
import io.kodiak.xds.generate.ProxyConfig;
import io.kodiak.xds.generate.ProxyConfigGenerator;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Outbounds generated once and shared between proxies give exactly what generating each proxy whole
 * gives, for every golden case and every proxy of its mesh; callers under the same policies really
 * share their outbound resources; a plugin that reads the proxy while editing a shared outbound is
 * caught; and a listener that cannot be moved to another port is built for that port instead.
 */
class SharedOutboundsTest {
  /**
   * A second instance of web (same outbounds); batch, which calls backend only; twice, which calls
   * backend on two ports (its two outbounds share the route to backend: built whole); and
   * elsewhere, which calls web's services on other ports (its listeners are moved ones).
   */
  private static final String MORE_CALLERS =
      """
      type: Dataplane
      mesh: default
      name: web-2
      networking:
        address: 10.0.0.7
        inbound:
          - port: 20001
            servicePort: 8080
            tags: {kuma.io/service: web, kuma.io/protocol: http, version: v2}
        outbound:
          - port: 10001
            tags: {kuma.io/service: backend}
          - port: 10002
            tags: {kuma.io/service: db}
          - port: 10003
            tags: {kuma.io/service: greeter}
      ---
      type: Dataplane
      mesh: default
      name: batch-1
      networking:
        address: 10.0.0.8
        inbound:
          - port: 20002
            servicePort: 8081
            tags: {kuma.io/service: batch, kuma.io/protocol: http}
        outbound:
          - port: 10001
            tags: {kuma.io/service: backend}
      ---
      type: Dataplane
      mesh: default
      name: twice-1
      networking:
        address: 10.0.0.9
        inbound:
          - port: 20003
            servicePort: 8082
            tags: {kuma.io/service: twice, kuma.io/protocol: http}
        outbound:
          - port: 10001
            tags: {kuma.io/service: backend}
          - port: 10011
            tags: {kuma.io/service: backend}
          - port: 10003
            tags: {kuma.io/service: greeter}
      ---
      type: Dataplane
      mesh: default
      name: elsewhere-1
      networking:
        address: 10.0.0.10
        inbound:
          - port: 20004
            servicePort: 8083
            tags: {kuma.io/service: elsewhere, kuma.io/protocol: http}
        outbound:
          - port: 10021
            tags: {kuma.io/service: backend}
          - port: 10022
            tags: {kuma.io/service: db}
          - port: 10023
            tags: {kuma.io/service: greeter}
      """;

  private final ProxyConfigGenerator generator = new ProxyConfigGenerator(PolicyModules.plugins());

  static Stream<Path> cases() {
    return GoldenCase.files();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void sharedOutboundsGiveWhatWholeProxiesGet(Path file) throws Exception {
    GoldenCase golden = GoldenCase.load(file, MORE_CALLERS);
    for (ProxyKind kind : ProxyKind.values()) {
      for (ProxyModel proxy : golden.mesh().proxies().values()) {
        assertSameConfig(golden, proxy, kind);
      }
    }
  }

  private void assertSameConfig(GoldenCase golden, ProxyModel proxy, ProxyKind kind) {
    ProxyConfig shared = generator.generate(golden.mesh(), proxy, kind, golden.identity());
    ProxyConfig whole =
        generator.sharingNothing().generate(golden.mesh(), proxy, kind, golden.identity());
    String what = golden.name() + ", proxy " + proxy.name() + ", " + kind;
    assertThat(shared.listeners()).as(what).isEqualTo(whole.listeners());
    assertThat(shared.routes()).as(what).isEqualTo(whole.routes());
    assertThat(shared.clusters()).as(what).isEqualTo(whole.clusters());
    assertThat(shared.endpoints()).as(what).isEqualTo(whole.endpoints());
    assertThat(shared.secrets()).as(what).isEqualTo(whole.secrets());
    assertThat(shared.versions()).as(what).isEqualTo(whole.versions());
    assertThat(shared.resourceVersions()).as(what).isEqualTo(whole.resourceVersions());
    assertThat(shared.services()).as(what).isEqualTo(whole.services());
  }

  @Test
  void callersUnderTheSamePoliciesShareTheirOutboundResources() throws Exception {
    GoldenCase stock = GoldenCase.load(GoldenCase.DIR.resolve("stock-mesh.yaml"), MORE_CALLERS);
    ProxyConfig web1 = generate(stock, "web-1");
    ProxyConfig web2 = generate(stock, "web-2");
    ProxyConfig batch = generate(stock, "batch-1");
    Cluster backend = cluster(web1, "backend");
    // the same instance, not only equal content: built, hashed and serialized once
    assertThat(cluster(web2, "backend")).isSameAs(backend);
    assertThat(cluster(batch, "backend")).isSameAs(backend);
    assertThat(web2.listeners().get(0)).isNotSameAs(web1.listeners().get(0)); // its own inbound
    // another port for the same services: the clusters are shared, the listener is moved
    ProxyConfig elsewhere = generate(stock, "elsewhere-1");
    assertThat(cluster(elsewhere, "backend")).isSameAs(backend);
    assertThat(elsewhere.listeners())
        .extracting(l -> l.getName())
        .contains("outbound:127.0.0.1:10021", "outbound:127.0.0.1:10022");
  }

  @Test
  void aPolicyThatSelectsOneCallerOnlyGivesItItsOwnOutbound(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("web-only.yaml");
    Files.writeString(
        file,
        """
        proxy: web-1
        policies:
          - type: MeshTimeout
            mesh: default
            name: web-calls-fast
            spec:
              targetRef: {kind: MeshService, name: web}
              to:
                - targetRef: {kind: Mesh}
                  default: {connectionTimeout: 2s}
        """);
    GoldenCase timeouts = GoldenCase.load(file, MORE_CALLERS);
    ProxyConfig web1 = generate(timeouts, "web-1");
    ProxyConfig batch = generate(timeouts, "batch-1");
    // the MeshTimeout selects web only: batch calls backend without it
    assertThat(cluster(batch, "backend")).isNotEqualTo(cluster(web1, "backend"));
    assertThat(cluster(generate(timeouts, "web-2"), "backend")).isSameAs(cluster(web1, "backend"));
  }

  @Test
  void aPluginThatReadsTheProxyInASharedOutboundIsCaught() throws Exception {
    GoldenCase stock = GoldenCase.load(GoldenCase.DIR.resolve("stock-mesh.yaml"), "");
    PolicyPlugin.Bound careless =
        new PolicyPlugin.Bound() {
          @Override
          public void apply(ProxyResources resources) {
            resources.outbounds().forEach(o -> resources.proxy().name());
          }

          @Override
          public Optional<Object> outboundKey() {
            return Optional.of("same for every proxy");
          }
        };
    PolicyPlugin plugin = (mesh, proxy) -> Optional.of(careless);
    assertThatThrownBy(
            () ->
                new ProxyConfigGenerator(List.of(plugin))
                    .generate(stock.mesh(), stock.proxy(), ProxyKind.ENVOY, Optional.empty()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("outboundKey");
  }

  @Test
  void aListenerThatEmbedsItsNameElsewhereIsNotMovedButBuiltForItsOwnAddress() throws Exception {
    // a plugin that copies each outbound listener's name where relocation does not look
    PolicyPlugin.Bound embedding =
        new PolicyPlugin.Bound() {
          @Override
          public void apply(ProxyResources resources) {
            for (var target : resources.outbounds()) {
              Listener listener = resources.listeners().get(target.listener());
              if (listener != null) {
                resources.listener(listener.toBuilder().setStatPrefix(listener.getName()).build());
              }
            }
          }

          @Override
          public Optional<Object> outboundKey() {
            return Optional.of("same for every proxy");
          }
        };
    PolicyPlugin plugin = (mesh, proxy) -> Optional.of(embedding);
    GoldenCase stock = GoldenCase.load(GoldenCase.DIR.resolve("stock-mesh.yaml"), MORE_CALLERS);
    ProxyConfigGenerator shared = new ProxyConfigGenerator(List.of(plugin));
    ProxyModel web = stock.mesh().proxies().get("web-1");
    ProxyModel elsewhere = stock.mesh().proxies().get("elsewhere-1");
    shared.generate(stock.mesh(), web, ProxyKind.ENVOY, Optional.empty()); // builds the parts
    ProxyConfig moved = shared.generate(stock.mesh(), elsewhere, ProxyKind.ENVOY, Optional.empty());
    ProxyConfig whole =
        shared
            .sharingNothing()
            .generate(stock.mesh(), elsewhere, ProxyKind.ENVOY, Optional.empty());
    assertThat(moved.listeners()).isEqualTo(whole.listeners());
    assertThat(moved.listeners())
        .filteredOn(l -> l.getName().contains("10021"))
        .singleElement()
        .satisfies(l -> assertThat(l.getStatPrefix()).isEqualTo(l.getName()));
    assertThat(moved.resourceVersions()).isEqualTo(whole.resourceVersions());
  }

  private ProxyConfig generate(GoldenCase golden, String proxy) {
    return generator.generate(
        golden.mesh(), golden.mesh().proxies().get(proxy), ProxyKind.ENVOY, golden.identity());
  }

  private static Cluster cluster(ProxyConfig config, String name) {
    return config.clusters().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no cluster " + name + " in " + config.clusters()));
  }
}
