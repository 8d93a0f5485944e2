package io.kodiak.xds.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.model.testing.TestResources;
import io.kodiak.store.memory.InMemoryResourceStore;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.server.NodeInfo;
import io.kodiak.xds.server.StreamEvents;
import io.kodiak.xds.server.XdsServer;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Regeneration is event-driven, batched, and limited to the proxies a change can affect. */
class SnapshotSyncTest {
  private final InMemoryResourceStore store = new InMemoryResourceStore(Clock.systemUTC());
  private SnapshotSync sync;

  @BeforeEach
  void start() {
    store.create(TestResources.mesh("default"));
    sync = new SnapshotSync(store, new XdsServer(new NoEvents()), Duration.ofMillis(10));
    store.create(dataplane("web-1", 20001, "web", "backend"));
    store.create(dataplane("api-1", 20002, "api", "db"));
    store.create(dataplane("backend-1", 20003, "backend", null));
    for (String name : new String[] {"web-1", "api-1", "backend-1"}) {
      sync.proxyConnected("default", "default." + name, ProxyKind.ENVOY);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> sync.stats().publications() == 3);
  }

  @AfterEach
  void stop() {
    sync.close();
  }

  @Test
  void aNewInstanceRegeneratesOnlyItsCallers() {
    var before = sync.stats();
    store.create(dataplane("backend-2", 20004, "backend", null));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> sync.stats().publications() == before.publications() + 1);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(1))
        .until(() -> sync.stats().generations() == before.generations() + 1);
  }

  @Test
  void aChangeThatAltersNoConfigIsNotPublished() {
    var before = sync.stats();
    label("api-1");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> sync.stats().generations() == before.generations() + 1);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(1))
        .until(() -> sync.stats().publications() == before.publications());
  }

  @Test
  void aCallerWhoseInputsDidNotChangeIsNotRegenerated() {
    var before = sync.stats();
    // a label is no endpoint: backend-1 itself is regenerated, its caller web-1 keeps its config
    // untouched
    label("backend-1");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> sync.stats().unchanged() == before.unchanged() + 1);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(1))
        .until(() -> sync.stats().generations() == before.generations() + 1);
  }

  @Test
  void aSecretWriteRegeneratesNoProxyWhoseInputsStayTheSame() {
    var before = sync.stats();
    store.create(
        TestResources.decode("type: Secret\nmesh: default\nname: unrelated\ndata: aGVsbG8=\n"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> sync.stats().unchanged() == before.unchanged() + 3);
    assertThat(sync.stats().generations()).isEqualTo(before.generations());
  }

  @Test
  void aPolicyWriteRegeneratesEveryProxy() {
    var before = sync.stats();
    store.create(
        TestResources.decode(
            """
        type: MeshTimeout
        mesh: default
        name: any
        spec:
          targetRef: {kind: Mesh}
          to: [{targetRef: {kind: Mesh}, default: {connectionTimeout: 3s}}]
        """));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> sync.stats().generations() == before.generations() + 3);
    assertThat(sync.stats().unchanged()).isEqualTo(before.unchanged());
  }

  @Test
  void aProxyThatReconnectsAtOnceGetsItsConfigAgain() {
    var before = sync.stats();
    // the xDS cache forgets a departed proxy, so its unchanged inputs must not skip the reconnect
    sync.proxyDisconnected("default.web-1");
    sync.proxyConnected("default", "default.web-1", ProxyKind.ENVOY);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> sync.stats().publications() == before.publications() + 1);
  }

  @Test
  void nothingHappensWhileNothingChanges() {
    var before = sync.stats();
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(1))
        .until(() -> sync.stats().equals(before));
  }

  /** Gives a stored Dataplane a label: a change of the resource that moves no endpoint. */
  private void label(String name) {
    var current =
        store
            .get(
                io.kodiak.model.core.ResourceKey.of(
                    io.kodiak.model.catalog.ResourceCatalog.DATAPLANE, "default", name))
            .orElseThrow();
    store.update(current.withMeta(current.meta().withLabels(java.util.Map.of("team", "x"))), 1);
  }

  private static io.kodiak.model.core.Resource dataplane(
      String name, int port, String service, String calls) {
    String yaml =
        "type: Dataplane\nmesh: default\nname: "
            + name
            + "\nnetworking:\n  address: 127.0.0.1\n"
            + "  inbound:\n    - port: "
            + port
            + "\n      tags: {kuma.io/service: "
            + service
            + ", kuma.io/protocol: http}\n"
            + (calls == null
                ? ""
                : "  outbound:\n    - port: 10001\n      tags: {kuma.io/service: " + calls + "}\n");
    return TestResources.decode(yaml);
  }

  /** Stream events nobody listens to; shared by the sync tests of this package. */
  static final class NoEvents implements StreamEvents {
    @Override
    public void onNodeConnected(long streamId, NodeInfo node) {}

    @Override
    public void onAckOrNack(long streamId, String typeUrl, String nonce, String error) {}

    @Override
    public void onResponse(
        long streamId, String typeUrl, String version, String nonce, int resources) {}

    @Override
    public void onStreamClosed(long streamId) {}
  }
}
