package io.kodiak.store.embedded;

import static io.kodiak.model.testing.TestResources.mesh;
import static io.kodiak.model.testing.TestResources.timeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.store.api.StoreUnavailableException;
import io.kodiak.store.contract.ResourceStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedResourceStoreTest extends ResourceStoreContract {
  @TempDir Path dir;

  @Override
  protected ResourceStore openEmptyStore() {
    return new EmbeddedResourceStore(dir.resolve("store.db"), SyncMode.FULL, clock);
  }

  @Test
  void everythingSurvivesAReopen() {
    store.create(mesh("demo"));
    Resource t1 = store.create(timeout("demo", "t1", "1s"));
    Resource updated = store.update(timeout("demo", "t1", "9s"), t1.meta().version());
    store.create(timeout("demo", "gone", "1s"));
    store.delete(ResourceKey.of(ResourceCatalog.MESH_TIMEOUT, "demo", "gone"));
    store.putSetting("marker", "yes");
    store.close();

    store = openEmptyStore();
    assertThat(store.get(updated.key())).contains(updated);
    assertThat(store.get(ResourceKey.of(ResourceCatalog.MESH_TIMEOUT, "demo", "gone"))).isEmpty();
    assertThat(store.setting("marker")).contains("yes");
  }

  @Test
  void aSecondStoreOnTheSameFileIsRefused() {
    store.create(mesh("demo"));
    assertThatThrownBy(this::openEmptyStore)
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("another control plane");
  }

  @Test
  void aDamagedFileIsCalledDamagedNotLocked() throws Exception {
    store.close();
    Files.writeString(
        dir.resolve("store.db"), "this is not a database, it is a text file ".repeat(100));
    assertThatThrownBy(this::openEmptyStore)
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("store.db")
        .hasMessageContaining("damaged")
        .hasMessageNotContaining("another control plane");
  }
}
