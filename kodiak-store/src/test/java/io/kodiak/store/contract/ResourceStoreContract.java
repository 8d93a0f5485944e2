package io.kodiak.store.contract;

import static io.kodiak.model.testing.TestResources.mesh;
import static io.kodiak.model.testing.TestResources.timeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.testing.TestResources.ManualClock;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceAlreadyExistsException;
import io.kodiak.store.api.ResourceChange;
import io.kodiak.store.api.ResourceConflictException;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.ResourcePage;
import io.kodiak.store.api.ResourceStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ResourceStore} must have. Each implementation runs this suite by
 * extending it and saying how to open a fresh store.
 */
public abstract class ResourceStoreContract {
  protected final ManualClock clock = new ManualClock();
  protected ResourceStore store;
  private final List<ResourceChange> changes = new ArrayList<>();

  /** Opens an empty store using {@link #clock}. */
  protected abstract ResourceStore openEmptyStore();

  /**
   * Whether versions count 1, 2, 3 per resource (the embedded store); where they come from a shared
   * counter (Kubernetes's resourceVersion) they only increase.
   */
  protected boolean versionsCountFromOne() {
    return true;
  }

  /**
   * Whether two meshes may each have a resource of the same type and name (the embedded store); on
   * Kubernetes a name is unique in its namespace whatever the mesh.
   */
  protected boolean namesArePerMesh() {
    return true;
  }

  /** The name a test gives the other mesh's resource called {@code name} in the first. */
  private String inOtherMesh(String name) {
    return namesArePerMesh() ? name : name + "-other";
  }

  private void assertFirstVersion(Resource stored) {
    assertThat(stored.meta().version()).isPositive();
    if (versionsCountFromOne()) {
      assertThat(stored.meta().version()).isEqualTo(1);
    }
  }

  private void assertNextVersion(Resource before, Resource after) {
    assertThat(after.meta().version()).isGreaterThan(before.meta().version());
    if (versionsCountFromOne()) {
      assertThat(after.meta().version()).isEqualTo(before.meta().version() + 1);
    }
  }

  @BeforeEach
  void open() {
    store = openEmptyStore();
    store.addListener(changes::add);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void createSetsVersionAndTimestamps() {
    Resource stored = store.create(mesh("demo"));
    assertFirstVersion(stored);
    assertThat(stored.meta().creationTime()).isEqualTo(clock.instant());
    assertThat(stored.meta().modificationTime()).isEqualTo(clock.instant());
    assertThat(store.get(stored.key())).contains(stored);
  }

  @Test
  void createRefusesAnExistingKey() {
    store.create(mesh("demo"));
    assertThatThrownBy(() -> store.create(mesh("demo")))
        .isInstanceOf(ResourceAlreadyExistsException.class);
  }

  @Test
  void updateBumpsVersionAndKeepsCreationTime() {
    store.create(mesh("demo"));
    Resource created = store.create(timeout("demo", "t1", "10s"));
    assertFirstVersion(created);
    Instant createdAt = clock.instant();
    clock.advance(Duration.ofSeconds(5));
    Resource updated = store.update(timeout("demo", "t1", "20s"), created.meta().version());
    assertNextVersion(created, updated);
    assertThat(updated.meta().creationTime()).isEqualTo(createdAt);
    assertThat(updated.meta().modificationTime()).isEqualTo(createdAt.plusSeconds(5));
    assertThat(updated.spec().at("/to/0/default/idleTimeout").asText()).isEqualTo("20s");
    assertThat(updated.meta().labels()).containsEntry("team", "core");
  }

  @Test
  void staleUpdateIsRefusedAndChangesNothing() {
    store.create(mesh("demo"));
    long first = store.create(timeout("demo", "t1", "10s")).meta().version();
    long second = store.update(timeout("demo", "t1", "20s"), first).meta().version();
    assertThatThrownBy(() -> store.update(timeout("demo", "t1", "30s"), first))
        .isInstanceOf(ResourceConflictException.class)
        .hasMessageContaining("expected version " + first + " but found " + second);
    Resource current = store.get(key("t1")).orElseThrow();
    assertThat(current.meta().version()).isEqualTo(second);
    assertThat(current.spec().at("/to/0/default/idleTimeout").asText()).isEqualTo("20s");
  }

  @Test
  void updateThatChangesNothingStoresNothing() {
    store.create(mesh("demo"));
    Resource created = store.create(timeout("demo", "t1", "10s"));
    int before = changes.size();
    Resource same = store.update(timeout("demo", "t1", "10s"), created.meta().version());
    assertThat(same.meta().version()).isEqualTo(created.meta().version());
    assertThat(changes).hasSize(before);
  }

  @Test
  void updateOfMissingResourceIsNotFound() {
    store.create(mesh("demo"));
    assertThatThrownBy(() -> store.update(timeout("demo", "nope", "1s"), 1))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void deleteRemovesAndReportsMissing() {
    store.create(mesh("demo"));
    store.create(timeout("demo", "t1", "10s"));
    store.delete(key("t1"));
    assertThat(store.get(key("t1"))).isEmpty();
    assertThatThrownBy(() -> store.delete(key("t1"))).isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void deletingAMeshDeletesEverythingInItOnly() {
    store.create(mesh("demo"));
    store.create(mesh("other"));
    store.create(timeout("demo", "t1", "10s"));
    store.create(timeout("demo", "t2", "10s"));
    store.create(timeout("other", inOtherMesh("t1"), "10s"));
    changes.clear();
    store.delete(ResourceKey.of(ResourceCatalog.MESH, "", "demo"));
    assertThat(store.count(ResourceCatalog.MESH_TIMEOUT, Optional.of("demo"))).isZero();
    assertThat(store.count(ResourceCatalog.MESH_TIMEOUT, Optional.of("other"))).isEqualTo(1);
    assertThat(changes)
        .extracting(c -> c.kind() + " " + c.resource().key())
        .containsExactly(
            "DELETED MeshTimeout/demo/t1", "DELETED MeshTimeout/demo/t2", "DELETED Mesh/demo");
  }

  @Test
  void listPagesSortsAndCountsTotal() {
    store.create(mesh("demo"));
    for (String name : List.of("c", "a", "e", "b", "d")) {
      store.create(timeout("demo", name, "1s"));
    }
    ResourcePage page =
        store.list(
            ResourceCatalog.MESH_TIMEOUT, new ListQuery(Optional.of("demo"), "", Map.of(), 1, 2));
    assertThat(page.total()).isEqualTo(5);
    assertThat(page.items()).extracting(Resource::name).containsExactly("b", "c");
  }

  @Test
  void listFiltersByMeshNameAndLabels() {
    store.create(mesh("demo"));
    store.create(mesh("other"));
    store.create(timeout("demo", "web-timeout", "1s"));
    store.create(timeout("demo", "db-timeout", "1s"));
    store.create(timeout("other", inOtherMesh("web-timeout"), "1s"));
    Resource unlabelled = timeout("demo", "web-2", "1s");
    store.create(unlabelled.withMeta(unlabelled.meta().withLabels(Map.of("team", "edge"))));

    assertThat(names(new ListQuery(Optional.of("demo"), "web", Map.of(), 0, 100)))
        .containsExactly("web-2", "web-timeout");
    assertThat(names(new ListQuery(Optional.of("demo"), "", Map.of("team", "core"), 0, 100)))
        .containsExactly("db-timeout", "web-timeout");
    assertThat(names(new ListQuery(Optional.empty(), "web-timeout", Map.of(), 0, 100))).hasSize(2);
  }

  @Test
  void aResourceCannotBeCreatedInAMissingMesh() {
    assertThatThrownBy(() -> store.create(timeout("nowhere", "t", "1s")))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("Mesh/nowhere");
    assertThat(store.count(ResourceCatalog.MESH_TIMEOUT, Optional.of("nowhere"))).isZero();
  }

  @Test
  void concurrentUpdatesFromTheSameVersionLetExactlyOneWin() throws Exception {
    store.create(mesh("demo"));
    Resource created = store.create(timeout("demo", "t1", "1s"));
    int writers = 8;
    var pool = Executors.newFixedThreadPool(writers);
    var start = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      String idle = (i + 2) + "s";
      results.add(
          pool.submit(
              () -> {
                start.await();
                try {
                  store.update(timeout("demo", "t1", idle), created.meta().version());
                  return true;
                } catch (ResourceConflictException e) {
                  return false;
                }
              }));
    }
    start.countDown();
    int winners = 0;
    for (var result : results) {
      winners += result.get() ? 1 : 0;
    }
    pool.shutdown();
    assertThat(winners).isEqualTo(1);
    assertNextVersion(created, store.get(key("t1")).orElseThrow());
  }

  @Test
  void changesArriveInWriteOrder() {
    store.create(mesh("demo"));
    Resource created = store.create(timeout("demo", "t1", "1s"));
    store.update(timeout("demo", "t1", "2s"), created.meta().version());
    store.delete(key("t1"));
    assertThat(changes)
        .extracting(ResourceChange::kind)
        .containsExactly(
            ChangeKind.CREATED, ChangeKind.CREATED, ChangeKind.UPDATED, ChangeKind.DELETED);
  }

  @Test
  void settingsAreKept() {
    assertThat(store.setting("marker")).isEmpty();
    store.putSetting("marker", "1");
    store.putSetting("marker", "2");
    assertThat(store.setting("marker")).contains("2");
  }

  @Test
  void aSettingIfAbsentKeepsTheFirstValue() {
    assertThat(store.settingIfAbsent("cluster-id", "first")).isEqualTo("first");
    assertThat(store.settingIfAbsent("cluster-id", "second")).isEqualTo("first");
    assertThat(store.setting("cluster-id")).contains("first");
    store.putSetting("other", "x"); // beside another setting
    assertThat(store.settingIfAbsent("third", "3")).isEqualTo("3");
    assertThat(store.setting("other")).contains("x");
  }

  private List<String> names(ListQuery query) {
    return store.list(ResourceCatalog.MESH_TIMEOUT, query).items().stream()
        .map(Resource::name)
        .toList();
  }

  private static ResourceKey key(String name) {
    return ResourceKey.of(ResourceCatalog.MESH_TIMEOUT, "demo", name);
  }
}
