package io.kodiak.policy.golden;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.PolicyModules;
import io.kodiak.policy.testing.PolicyCases;
import io.kodiak.xds.generate.ProxyConfig;
import io.kodiak.xds.generate.ProxyConfigGenerator;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden Envoy configs, one per case, in each policy's folder ({@code
 * <package>/golden/<case>.yaml}); each case names a proxy of the shared mesh ({@code mesh.yaml})
 * and the policies to apply; the config generated with every plugin must equal {@code <case>.json}
 * and pass the real {@code envoy --mode validate}. The policies must pass their validators first:
 * only accepted policies reach generation. No generated setting may be one Envoy accepts and then
 * ignores because another overrides it ({@link IgnoredByEnvoy}); the {@code stock-mesh} case adds
 * Kuma's initial policies, as users have them. A case with {@code mtls: Strict} generates with
 * strict mTLS on (the inbound policies, MeshTrafficPermission and MeshTLS, act only then); its
 * certificates are placeholders, so Envoy does not validate it (the kodiak-xds mTLS golden does,
 * with real ones).
 */
class PolicyGoldenTest {
  private static final Path DIR = Path.of("src/test/resources/golden");
  private static final MeshMtls MTLS =
      new MeshMtls("default", MeshMtls.Mode.STRICT, List.of("placeholder CA"));
  private static final ProxyIdentity IDENTITY =
      new ProxyIdentity("placeholder certificate", "placeholder key");
  @TempDir Path tmp;

  /** Each policy's cases, from its own folder ({@code <package>/golden/}), and the stock mesh's. */
  static Stream<Path> cases() {
    List<Path> all = new ArrayList<>(PolicyCases.all("golden", ".yaml"));
    all.add(DIR.resolve("stock-mesh.yaml"));
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void policyConfigMatchesGoldenAndEnvoyAcceptsIt(Path file) throws Exception {
    String name = file.getFileName().toString().replace(".yaml", "");
    List<ProxyModel> proxies = new ArrayList<>();
    for (JsonNode doc : Documents.parseAll(Files.readString(DIR.resolve("mesh.yaml")))) {
      proxies.add(ProxyModels.fromDataplane(ResourceCodec.decode(doc)));
    }
    JsonNode spec = Documents.parse(Files.readString(file));
    Map<String, List<Resource>> policies = new HashMap<>();
    for (JsonNode doc : spec.path("policies")) {
      Resource policy = ResourceCodec.decode(doc);
      Violations violations = new Violations();
      var validator = PolicyModules.validators().get(policy.type());
      if (validator != null) {
        validator.validate(policy, violations);
      }
      assertThat(violations.list()).as(name + ": " + policy.name() + " must be valid").isEmpty();
      policies.computeIfAbsent(policy.type().name(), t -> new ArrayList<>()).add(policy);
    }
    boolean mtls = spec.path("mtls").asText().equals("Strict");
    MeshSnapshot mesh =
        MeshSnapshot.of("default", proxies, Set.of())
            .withPolicies(mtls ? Optional.of(MTLS) : Optional.empty(), policies);
    ProxyConfig config =
        new ProxyConfigGenerator(PolicyModules.plugins())
            .generate(
                mesh,
                mesh.proxies().get(spec.path("proxy").asText()),
                ProxyKind.ENVOY,
                mtls ? Optional.of(IDENTITY) : Optional.empty());
    assertThat(IgnoredByEnvoy.findings(config))
        .as(name + ": settings Envoy would silently ignore")
        .isEmpty();
    GoldenConfigs.assertMatchesGolden(config, file.resolveSibling(name + ".json"));
    if (!mtls) {
      GoldenConfigs.assertEnvoyAccepts(config, tmp, name);
    }
  }
}
