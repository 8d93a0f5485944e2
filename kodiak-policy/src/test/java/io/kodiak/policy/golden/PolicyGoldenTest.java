package io.kodiak.policy.golden;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.policy.PolicyModules;
import io.kodiak.xds.generate.ProxyConfig;
import io.kodiak.xds.generate.ProxyConfigGenerator;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.testing.GoldenConfigs;
import java.nio.file.Path;
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
  @TempDir Path tmp;

  static Stream<Path> cases() {
    return GoldenCase.files();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void policyConfigMatchesGoldenAndEnvoyAcceptsIt(Path file) throws Exception {
    GoldenCase golden = GoldenCase.load(file, "");
    String name = golden.name();
    ProxyConfig config =
        new ProxyConfigGenerator(PolicyModules.plugins())
            .generate(golden.mesh(), golden.proxy(), ProxyKind.ENVOY, golden.identity());
    assertThat(IgnoredByEnvoy.findings(config))
        .as(name + ": settings Envoy would silently ignore")
        .isEmpty();
    GoldenConfigs.assertMatchesGolden(config, file.resolveSibling(name + ".json"));
    if (!golden.mtls()) {
      GoldenConfigs.assertEnvoyAccepts(config, tmp, name);
    }
  }
}
