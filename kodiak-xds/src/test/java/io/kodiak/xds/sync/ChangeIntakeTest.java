package io.kodiak.xds.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.model.core.Resource;
import io.kodiak.model.testing.TestResources;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ResourceChange;
import io.kodiak.store.memory.InMemoryResourceStore;
import io.kodiak.xds.proxy.ProxyKind;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What each change marks for regeneration: which mesh, which proxies, the callers of which
 * services.
 */
class ChangeIntakeTest {
  private final InMemoryResourceStore store = new InMemoryResourceStore(Clock.systemUTC());

  /**
   * Never runs a flush within a test: the debounce is an hour; its queue shows what was scheduled.
   */
  private final ScheduledThreadPoolExecutor worker = new ScheduledThreadPoolExecutor(1);

  private final DirtyMeshes dirty = new DirtyMeshes(worker, Duration.ofHours(1), () -> {});
  private final PolicyEpochs epochs = new PolicyEpochs();
  private final InboundServices services = new InboundServices();
  private final ConnectedProxies proxies = new ConnectedProxies();
  private final MeshSnapshots snapshots =
      new MeshSnapshots(store, IdentitySource.NONE, proxies, services);
  private final ChangeIntake intake = new ChangeIntake(dirty, epochs, services, snapshots);

  @BeforeEach
  void meshDefault() {
    store.create(TestResources.mesh("default"));
  }

  @AfterEach
  void stop() {
    worker.shutdownNow();
  }

  @Test
  void aPolicyWriteMarksItsWholeMeshAndMovesItsEpoch() {
    sees(ChangeKind.CREATED, TestResources.timeout("default", "t", "5s"));
    assertThat(epochs.current("default")).isEqualTo(1);
    assertThat(onlyChangeOf("default").affectsEverything()).isTrue();
  }

  @Test
  void aMeshWriteMarksThatMeshAndMovesItsEpoch() {
    sees(ChangeKind.UPDATED, TestResources.mesh("payments"));
    assertThat(epochs.current("payments")).isEqualTo(1);
    assertThat(onlyChangeOf("payments").affectsEverything()).isTrue();
  }

  @Test
  void aSecretWriteMarksItsWholeMeshButLeavesItsEpoch() {
    sees(
        ChangeKind.CREATED,
        TestResources.decode("type: Secret\nmesh: default\nname: s\ndata: aGVsbG8=\n"));
    assertThat(epochs.current("default")).isZero();
    assertThat(onlyChangeOf("default").affectsEverything()).isTrue();
  }

  @Test
  void aNewDataplaneMarksItselfAndTheCallersOfItsServices() {
    sees(ChangeKind.CREATED, dataplane("backend-1", "backend"));
    MeshChange change = onlyChangeOf("default");
    assertThat(change.affectsEverything()).isFalse();
    assertThat(change.changedProxies()).containsExactly("backend-1");
    assertThat(change.changedServices()).containsExactly("backend");
    assertThat(epochs.current("default")).isZero();
  }

  @Test
  void aDataplaneChangeAlsoMarksTheCallersOfTheServicesItLeft() {
    known(dataplane("backend-1", "backend"));
    sees(ChangeKind.UPDATED, dataplane("backend-1", "backend-v2"));
    MeshChange change = onlyChangeOf("default");
    assertThat(change.affectsEverything()).isFalse();
    assertThat(change.changedProxies()).containsExactly("backend-1");
    assertThat(change.changedServices()).containsExactlyInAnyOrder("backend", "backend-v2");
  }

  @Test
  void aDataplaneChangeSeenFirstSinceStartMarksEverything() {
    // which services it offered before is unknown: their callers cannot be found
    sees(ChangeKind.UPDATED, dataplane("backend-1", "backend"));
    assertThat(onlyChangeOf("default").affectsEverything()).isTrue();
  }

  @Test
  void aSnapshotRemembersTheServicesOfTheDataplanesItLists() {
    store.create(
        dataplane("backend-1", "backend")); // not told to the intake: as if stored before start
    snapshots.build("default");
    sees(ChangeKind.UPDATED, dataplane("backend-1", "backend-v2"));
    MeshChange change = onlyChangeOf("default");
    assertThat(change.affectsEverything()).isFalse();
    assertThat(change.changedServices()).containsExactlyInAnyOrder("backend", "backend-v2");
  }

  @Test
  void aDeletedDataplaneMarksTheCallersOfItsServicesAndIsForgotten() {
    known(dataplane("backend-1", "backend"));
    sees(ChangeKind.DELETED, dataplane("backend-1", "backend"));
    MeshChange deleted = onlyChangeOf("default");
    assertThat(deleted.affectsEverything()).isFalse();
    assertThat(deleted.changedProxies()).containsExactly("backend-1");
    assertThat(deleted.changedServices()).containsExactly("backend");
    intake.proxyChanged("default", "default.backend-1");
    assertThat(onlyChangeOf("default").affectsEverything()).isTrue();
  }

  @Test
  void aDataplaneChangeDropsItsCachedModel() {
    Resource stored = store.create(dataplane("backend-1", "backend"));
    var cached = snapshots.build("default").proxies().get("backend-1");
    assertThat(snapshots.build("default").proxies().get("backend-1")).isSameAs(cached);
    // one deleted and created again starts at version 1 again: the version check alone would reuse
    // the model
    sees(ChangeKind.DELETED, stored);
    assertThat(snapshots.build("default").proxies().get("backend-1")).isNotSameAs(cached);
  }

  @Test
  void aProxyConnectingMarksItselfAndTheCallersOfItsServices() {
    known(dataplane("backend-1", "backend"));
    proxies.connect("default", "default.backend-1", ProxyKind.ENVOY);
    intake.proxyChanged("default", "default.backend-1");
    MeshChange change = onlyChangeOf("default");
    assertThat(change.affectsEverything()).isFalse();
    assertThat(change.changedProxies()).containsExactly("backend-1");
    assertThat(change.changedServices()).containsExactly("backend");
  }

  @Test
  void aProxyWhoseServicesAreUnknownMarksEverything() {
    intake.proxyChanged("default", "default.backend-1");
    MeshChange change = onlyChangeOf("default");
    assertThat(change.affectsEverything()).isTrue();
    assertThat(change.changedProxies()).containsExactly("backend-1");
  }

  @Test
  void aRefreshMarksTheNamedProxiesOnly() {
    intake.refresh("default", Set.of("web-1", "api-1"));
    MeshChange change = onlyChangeOf("default");
    assertThat(change.affectsEverything()).isFalse();
    assertThat(change.changedProxies()).containsExactlyInAnyOrder("web-1", "api-1");
    assertThat(change.changedServices()).isEmpty();
  }

  @Test
  void changesUntilTheFlushJoinOneBatchWithOneFlushScheduled() {
    sees(ChangeKind.CREATED, dataplane("backend-1", "backend"));
    intake.refresh("default", Set.of("web-1"));
    intake.refreshMesh("payments");
    assertThat(worker.getQueue()).hasSize(1);
    Map<String, MeshChange> batch = dirty.take();
    assertThat(batch).containsOnlyKeys("default", "payments");
    assertThat(batch.get("default").changedProxies())
        .containsExactlyInAnyOrder("backend-1", "web-1");
    assertThat(dirty.take()).isEmpty();
  }

  @Test
  void aChangeAfterTheFlushTookItsBatchSchedulesTheNextFlush() {
    intake.refreshMesh("default");
    dirty.take();
    intake.refreshMesh("default");
    assertThat(worker.getQueue()).hasSize(2); // the first flush never ran here: it stays queued
  }

  private void sees(ChangeKind kind, Resource resource) {
    intake.onChange(new ResourceChange(kind, resource));
  }

  /**
   * A Dataplane whose creation the intake saw (its services are known); the batch it marked is
   * dropped.
   */
  private void known(Resource dataplane) {
    sees(ChangeKind.CREATED, dataplane);
    dirty.take();
  }

  private MeshChange onlyChangeOf(String mesh) {
    Map<String, MeshChange> batch = dirty.take();
    assertThat(batch).containsOnlyKeys(mesh);
    return batch.get(mesh);
  }

  private static Resource dataplane(String name, String service) {
    return TestResources.decode(
        "type: Dataplane\nmesh: default\nname: "
            + name
            + "\nnetworking:\n"
            + "  address: 127.0.0.1\n  inbound:\n    - port: 20001\n"
            + "      tags: {kuma.io/service: "
            + service
            + ", kuma.io/protocol: http}\n");
  }
}
