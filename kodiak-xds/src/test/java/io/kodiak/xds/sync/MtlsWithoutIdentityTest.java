package io.kodiak.xds.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.model.testing.TestResources;
import io.kodiak.store.memory.InMemoryResourceStore;
import io.kodiak.xds.generate.ProxyConfigGenerator;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.proxy.ProxyIdentity;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.server.XdsServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * In a mesh with mTLS on, a proxy for which no workload certificate can be issued (its mesh's CA is
 * gone, say) gets no config at all: never a plaintext one that would bypass mTLS and every
 * permission. The proxies that do get a certificate are served as usual.
 */
class MtlsWithoutIdentityTest {
  @Test
  void aProxyWithoutACertificateGetsNothingRatherThanPlaintext() {
    InMemoryResourceStore store = new InMemoryResourceStore(Clock.systemUTC());
    store.create(TestResources.mesh("default"));
    MeshMtls mtls =
        new MeshMtls("default", MeshMtls.Mode.STRICT, List.of("-----BEGIN CERTIFICATE-----\n"));
    IdentitySource onlyWeb =
        new IdentitySource() {
          @Override
          public Optional<MeshMtls> mtls(String mesh) {
            return Optional.of(mtls);
          }

          @Override
          public Optional<ProxyIdentity> identity(MeshMtls meshMtls, ProxyModel proxy) {
            return proxy.name().equals("web-1")
                ? Optional.of(new ProxyIdentity("cert", "key"))
                : Optional.empty();
          }
        };
    SnapshotSync sync =
        new SnapshotSync(
            store,
            new XdsServer(new SnapshotSyncTest.NoEvents()),
            Duration.ofMillis(10),
            new ProxyConfigGenerator(),
            onlyWeb);
    try {
      for (String name : new String[] {"web-1", "api-1"}) {
        store.create(
            TestResources.decode(
                "type: Dataplane\nmesh: default\nname: "
                    + name
                    + "\nnetworking:\n  address: 127.0.0.1\n  inbound:\n    - port: 20001\n      tags: {kuma.io/service: "
                    + name.replace("-1", "")
                    + "}\n"));
        sync.proxyConnected("default", "default." + name, ProxyKind.ENVOY);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> sync.stats().publications() == 1);
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(2))
          .until(() -> sync.stats().publications() == 1);
      assertThat(sync.stats().generations()).as("only web-1 was generated").isEqualTo(1);
    } finally {
      sync.close();
    }
  }
}
