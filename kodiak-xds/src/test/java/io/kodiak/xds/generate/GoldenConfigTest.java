package io.kodiak.xds.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.testing.TestResources;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyIdentity;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.proxy.ProxyModels;
import io.kodiak.xds.testing.GoldenConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden files for generated Envoy config (protobuf JSON, stable order; regenerate with {@code
 * -Dgolden.update=true}), and every golden config accepted by the real {@code envoy --mode
 * validate}.
 */
class GoldenConfigTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");
  private static final Path ENVOY = Path.of("../.venv/bin/envoy").toAbsolutePath().normalize();
  @TempDir Path tmp;

  private static final MeshSnapshot MESH =
      MeshSnapshot.of(
          "default",
          List.of(
              proxy(
                  "web-1",
                  "127.0.0.1",
                  20001,
                  8080,
                  "web",
                  "http",
                  Map.of("backend", 10001, "db", 10002, "greeter", 10003)),
              proxy("backend-1", "10.0.0.2", 20001, 8080, "backend", "http", Map.of()),
              proxy("backend-2", "10.0.0.3", 20001, 8080, "backend", "http", Map.of()),
              proxy("db-1", "10.0.0.4", 25432, 5432, "db", "tcp", Map.of()),
              proxy("greeter-1", "10.0.0.5", 20051, 50051, "greeter", "grpc", Map.of())),
          Set.of());

  @ParameterizedTest
  @ValueSource(strings = {"web-1", "backend-1", "db-1", "greeter-1"})
  void generatedConfigMatchesGoldenAndEnvoyAcceptsIt(String name) throws Exception {
    ProxyConfig config = new ProxyConfigGenerator().generate(MESH, MESH.proxies().get(name));
    String actual = Documents.toJson(GoldenConfigs.render(config)) + "\n";
    Path golden = GOLDEN.resolve(name + ".json");
    if (UPDATE) {
      Files.writeString(golden, actual);
    }
    assertThat(golden).as("golden file (create it with -Dgolden.update=true)").exists();
    assertThat(actual).isEqualTo(Files.readString(golden));
    GoldenConfigs.assertEnvoyAccepts(config, tmp, name);
  }

  @Test
  void mtlsConfigMatchesGoldenAndEnvoyAcceptsIt() throws Exception {
    Path pems = Path.of("src/test/resources/mtls");
    MeshMtls mtls =
        new MeshMtls(
            "default", MeshMtls.Mode.STRICT, List.of(Files.readString(pems.resolve("ca.pem"))));
    ProxyIdentity identity =
        new ProxyIdentity(
            Files.readString(pems.resolve("web.pem")),
            Files.readString(pems.resolve("web-key.pem")));
    MeshSnapshot secured = MESH.withPolicies(Optional.of(mtls), Map.of());
    // RBAC rules as the MeshTrafficPermission plugin would give them (that plugin lives in
    // kodiak-policy)
    RBAC allowAll =
        RBAC.newBuilder()
            .setAction(RBAC.Action.ALLOW)
            .putPolicies(
                "frontend",
                Policy.newBuilder()
                    .addPermissions(Permission.newBuilder().setAny(true))
                    .addPrincipals(
                        Principal.newBuilder()
                            .setAuthenticated(
                                Principal.Authenticated.newBuilder()
                                    .setPrincipalName(
                                        StringMatcher.newBuilder()
                                            .setExact("spiffe://default/frontend"))))
                    .build())
            .build();
    PolicyPlugin permissions =
        PolicyPlugin.readingProxy(
            out -> out.inbounds().forEach(target -> InboundEdits.authorize(out, target, allowAll)));
    ProxyConfig config =
        new ProxyConfigGenerator(List.of(permissions))
            .generate(secured, MESH.proxies().get("web-1"), ProxyKind.ENVOY, Optional.of(identity));
    assertThat(config.secrets())
        .extracting(s -> s.getName())
        .containsExactly("identity_cert", "mesh_ca");
    ObjectNode rendered = GoldenConfigs.render(config);
    String actual = Documents.toJson(rendered) + "\n";
    Path golden = GOLDEN.resolve("web-1-mtls.json");
    if (UPDATE) {
      Files.writeString(golden, actual);
    }
    assertThat(golden).as("golden file (create it with -Dgolden.update=true)").exists();
    assertThat(actual).isEqualTo(Files.readString(golden));
    GoldenConfigs.assertEnvoyAccepts(inlineSecrets(config), tmp, "web-1-mtls");
  }

  /** For validation only: Envoy cannot fetch SDS here, so the secrets go inline. */
  private static ProxyConfig inlineSecrets(ProxyConfig config) throws Exception {
    var identity = config.secrets().get(0).getTlsCertificate();
    var trusted = config.secrets().get(1).getValidationContext();
    List<Listener> listeners = new ArrayList<>();
    for (Listener listener : config.listeners()) {
      Listener.Builder l = listener.toBuilder();
      for (int i = 0; i < l.getFilterChainsCount(); i++) {
        FilterChain chain = l.getFilterChains(i);
        if (chain.hasTransportSocket()) {
          var tls = chain.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
          var common =
              tls.getCommonTlsContext().toBuilder()
                  .clearTlsCertificateSdsSecretConfigs()
                  .clearValidationContextSdsSecretConfig()
                  .addTlsCertificates(identity)
                  .setValidationContext(trusted);
          tls = tls.toBuilder().setCommonTlsContext(common).build();
          l.setFilterChains(
              i,
              chain.toBuilder()
                  .setTransportSocket(
                      chain.getTransportSocket().toBuilder().setTypedConfig(Any.pack(tls))));
        }
      }
      listeners.add(l.build());
    }
    List<Cluster> clusters = new ArrayList<>();
    for (Cluster cluster : config.clusters()) {
      if (cluster.hasTransportSocket()) {
        var tls = cluster.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
        var combined = tls.getCommonTlsContext().getCombinedValidationContext();
        var validation =
            combined.getDefaultValidationContext().toBuilder().setTrustedCa(trusted.getTrustedCa());
        var common =
            tls.getCommonTlsContext().toBuilder()
                .clearTlsCertificateSdsSecretConfigs()
                .clearCombinedValidationContext()
                .addTlsCertificates(identity)
                .setValidationContext(validation);
        tls = tls.toBuilder().setCommonTlsContext(common).build();
        cluster =
            cluster.toBuilder()
                .setTransportSocket(
                    cluster.getTransportSocket().toBuilder().setTypedConfig(Any.pack(tls)))
                .build();
      }
      clusters.add(cluster);
    }
    return ProxyConfig.of(listeners, config.routes(), clusters, config.endpoints(), List.of());
  }

  @Test
  void generationIsAPureFunction() {
    ProxyModel web = MESH.proxies().get("web-1");
    ProxyConfig first = new ProxyConfigGenerator().generate(MESH, web);
    ProxyConfig second = new ProxyConfigGenerator().generate(MESH, web);
    assertThat(second).isEqualTo(first);
    assertThat(second.versions()).isEqualTo(first.versions());
  }

  @Test
  void endpointChurnChangesOnlyTheEndpointsVersion() {
    ProxyModel web = MESH.proxies().get("web-1");
    ProxyConfig before = new ProxyConfigGenerator().generate(MESH, web);
    MeshSnapshot churned = MeshSnapshot.of("default", MESH.proxies().values(), Set.of("backend-2"));
    ProxyConfig after = new ProxyConfigGenerator().generate(churned, web);
    assertThat(after.versions().endpoints()).isNotEqualTo(before.versions().endpoints());
    assertThat(after.versions().listeners()).isEqualTo(before.versions().listeners());
    assertThat(after.versions().clusters()).isEqualTo(before.versions().clusters());
    assertThat(after.versions().routes()).isEqualTo(before.versions().routes());
  }

  @Test
  void aProxyGetsClustersOnlyForItsOutbounds() {
    ProxyConfig backend =
        new ProxyConfigGenerator().generate(MESH, MESH.proxies().get("backend-1"));
    assertThat(backend.clusters()).extracting(Cluster::getName).containsExactly("localhost:8080");
    assertThat(backend.endpoints()).isEmpty();
  }

  private static ProxyModel proxy(
      String name,
      String address,
      int port,
      int servicePort,
      String service,
      String protocol,
      Map<String, Integer> outbounds) {
    StringBuilder yaml =
        new StringBuilder(
            "type: Dataplane\nmesh: default\nname: "
                + name
                + "\nnetworking:\n"
                + "  address: "
                + address
                + "\n  inbound:\n    - port: "
                + port
                + "\n      servicePort: "
                + servicePort
                + "\n      tags:\n        kuma.io/service: "
                + service
                + "\n        kuma.io/protocol: "
                + protocol
                + "\n");
    if (!outbounds.isEmpty()) {
      yaml.append("  outbound:\n");
      new TreeMap<>(outbounds)
          .forEach(
              (svc, p) ->
                  yaml.append("    - port: ")
                      .append(p)
                      .append("\n      tags:\n        kuma.io/service: ")
                      .append(svc)
                      .append('\n'));
    }
    return ProxyModels.fromDataplane(TestResources.decode(yaml.toString()));
  }
}
