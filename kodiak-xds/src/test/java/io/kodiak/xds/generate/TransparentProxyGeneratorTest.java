package io.kodiak.xds.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.kodiak.model.testing.TestResources;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.proxy.ProxyModels;
import io.kodiak.xds.proxy.TransparentProxying;
import io.kodiak.xds.testing.GoldenConfigs;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Pod's proxy as Kubernetes mode writes it (Pod IP, the callee's cluster IP, Kuma's redirect
 * ports): Envoy binds only the two redirect ports and every declared listener waits for the
 * connections handed to it by original destination. Checked against a golden file and the real
 * {@code envoy --mode validate}.
 */
class TransparentProxyGeneratorTest {
  @TempDir Path tmp;

  private static final ProxyModel WEB =
      ProxyModels.fromDataplane(
          TestResources.decode(
              """
              type: Dataplane
              mesh: default
              name: web-1.shop
              networking:
                address: 10.244.0.5
                inbound:
                  - port: 8080
                    tags:
                      kuma.io/service: web_shop_svc_80
                      kuma.io/protocol: http
                outbound:
                  - address: 10.96.0.20
                    port: 80
                    tags:
                      kuma.io/service: backend_shop_svc_80
                transparentProxying:
                  redirectPortInbound: 15006
                  redirectPortOutbound: 15001
              """));

  private static final ProxyModel BACKEND =
      ProxyModels.fromDataplane(
          TestResources.decode(
              """
              type: Dataplane
              mesh: default
              name: backend-1.shop
              networking:
                address: 10.244.0.6
                inbound:
                  - port: 8080
                    tags:
                      kuma.io/service: backend_shop_svc_80
                      kuma.io/protocol: http
              """));

  private static final MeshSnapshot MESH =
      MeshSnapshot.of("default", List.of(WEB, BACKEND), Set.of());

  @Test
  void theDataplanesRedirectPortsMakeItTransparentlyProxied() {
    assertThat(WEB.transparentProxying()).contains(new TransparentProxying(15006, 15001));
    assertThat(BACKEND.transparentProxying()).isEmpty();
  }

  @Test
  void onlyTheRedirectListenersBindAndTheyHandOffByOriginalDestination() throws Exception {
    ProxyConfig config = new ProxyConfigGenerator().generate(MESH, WEB);
    GoldenConfigs.assertMatchesGolden(config, Path.of("src/test/resources/golden/tproxy-web.json"));
    GoldenConfigs.assertEnvoyAccepts(config, tmp, "tproxy-web");
    assertThat(config.listeners())
        .extracting(Listener::getName)
        .containsExactlyInAnyOrder(
            "inbound:10.244.0.5:8080",
            "outbound:10.96.0.20:80",
            EnvoyNames.INBOUND_REDIRECT_LISTENER,
            EnvoyNames.OUTBOUND_REDIRECT_LISTENER);
    for (Listener listener : config.listeners()) {
      boolean redirect = listener.getName().endsWith(":redirect");
      assertThat(listener.hasBindToPort() ? listener.getBindToPort().getValue() : true)
          .as("%s binds its address", listener.getName())
          .isEqualTo(redirect);
      assertThat(listener.getUseOriginalDst().getValue())
          .as("%s hands off by original destination", listener.getName())
          .isEqualTo(redirect);
    }
    assertThat(
            listener(config, EnvoyNames.OUTBOUND_REDIRECT_LISTENER)
                .getAddress()
                .getSocketAddress()
                .getPortValue())
        .isEqualTo(15001);
    assertThat(
            listener(config, EnvoyNames.INBOUND_REDIRECT_LISTENER)
                .getAddress()
                .getSocketAddress()
                .getPortValue())
        .isEqualTo(15006);
    assertThat(cluster(config, EnvoyNames.OUTBOUND_PASSTHROUGH_CLUSTER).getType())
        .isEqualTo(Cluster.DiscoveryType.ORIGINAL_DST);
    assertThat(cluster(config, EnvoyNames.INBOUND_PASSTHROUGH_CLUSTER).getType())
        .isEqualTo(Cluster.DiscoveryType.ORIGINAL_DST);
    assertThat(
            cluster(config, EnvoyNames.INBOUND_PASSTHROUGH_CLUSTER)
                .getUpstreamBindConfig()
                .getSourceAddress()
                .getAddress())
        .as("the source the Pod's nat rules let through over lo")
        .isEqualTo("127.0.0.6");
  }

  @Test
  void aConnectionAddressedToARedirectPortItselfIsClosedNotPassedOnInALoop() {
    ProxyConfig config = new ProxyConfigGenerator().generate(MESH, WEB);
    for (String name :
        List.of(EnvoyNames.INBOUND_REDIRECT_LISTENER, EnvoyNames.OUTBOUND_REDIRECT_LISTENER)) {
      Listener redirect = listener(config, name);
      int port = redirect.getAddress().getSocketAddress().getPortValue();
      assertThat(redirect.getFilterChainsList())
          .as("%s's chain for its own port", name)
          .filteredOn(c -> c.getFilterChainMatch().getDestinationPort().getValue() == port)
          .singleElement()
          .satisfies(c -> assertThat(c.toString()).contains(EnvoyNames.REDIRECT_LOOP_CLUSTER));
    }
    assertThat(cluster(config, EnvoyNames.REDIRECT_LOOP_CLUSTER).getLoadAssignment())
        .satisfies(a -> assertThat(a.getEndpointsList()).isEmpty());
  }

  @Test
  void aMeshWithoutPassthroughSendsWhatLeavesTheMeshNowhere() throws Exception {
    ProxyConfig config =
        new ProxyConfigGenerator().generate(MESH.withOutboundPassthrough(false), WEB);
    assertThat(config.clusters())
        .extracting(Cluster::getName)
        .contains(EnvoyNames.OUTBOUND_BLACKHOLE_CLUSTER)
        .doesNotContain(EnvoyNames.OUTBOUND_PASSTHROUGH_CLUSTER);
    assertThat(cluster(config, EnvoyNames.OUTBOUND_BLACKHOLE_CLUSTER).getLoadAssignment())
        .satisfies(a -> assertThat(a.getEndpointsList()).isEmpty());
    GoldenConfigs.assertEnvoyAccepts(config, tmp, "tproxy-blackhole");
  }

  @Test
  void aProxyWithoutTransparentProxyingBindsItsOwnListeners() {
    ProxyConfig config = new ProxyConfigGenerator().generate(MESH, BACKEND);
    assertThat(config.listeners())
        .extracting(Listener::getName)
        .containsExactly("inbound:10.244.0.6:8080");
    assertThat(config.listeners().get(0).hasBindToPort()).as("binds (Envoy's default)").isFalse();
  }

  private static Listener listener(ProxyConfig config, String name) {
    return config.listeners().stream()
        .filter(l -> l.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no listener " + name));
  }

  private static Cluster cluster(ProxyConfig config, String name) {
    Optional<Cluster> found =
        config.clusters().stream().filter(c -> c.getName().equals(name)).findFirst();
    return found.orElseThrow(() -> new AssertionError("no cluster " + name));
  }
}
