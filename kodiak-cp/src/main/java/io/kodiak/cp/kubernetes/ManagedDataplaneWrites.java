package io.kodiak.cp.kubernetes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.k8s.controllers.DataplaneWrites;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.store.api.ResourceNotFoundException;
import java.util.OptionalLong;

/** The Pod controller's Dataplanes go through {@link ResourceManager}, validated as every write. */
public final class ManagedDataplaneWrites implements DataplaneWrites {
  private final ResourceManager manager;

  public ManagedDataplaneWrites(ResourceManager manager) {
    this.manager = manager;
  }

  @Override
  public void put(ObjectNode document) {
    manager.put(
        ResourceCatalog.DATAPLANE,
        document.path("mesh").asText(),
        document.path("name").asText(),
        document,
        OptionalLong.empty());
  }

  @Override
  public void delete(ResourceKey key) {
    try {
      manager.delete(key);
    } catch (ResourceNotFoundException alreadyGone) {
      // someone (kubectl, the garbage collector) was first
    }
  }
}
