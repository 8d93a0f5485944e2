package io.kodiak.cp.resources;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.dataplane.DataplaneValidator;
import io.kodiak.model.mesh.MeshValidator;
import io.kodiak.model.secret.SecretValidator;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.policy.PolicyModules;
import java.util.HashMap;
import java.util.Map;

/** The semantic validator of every type in the catalog. Immutable and thread-safe. */
public final class Validators {
  private final Map<ResourceType, ResourceValidator> byType;

  public Validators() {
    Map<ResourceType, ResourceValidator> map = new HashMap<>(PolicyModules.validators());
    map.put(ResourceCatalog.MESH, new MeshValidator());
    map.put(ResourceCatalog.DATAPLANE, new DataplaneValidator());
    map.put(ResourceCatalog.SECRET, new SecretValidator());
    for (ResourceType type : ResourceCatalog.all()) {
      if (!map.containsKey(type)) {
        throw new IllegalStateException("no validator for " + type);
      }
    }
    byType = Map.copyOf(map);
  }

  public ResourceValidator of(ResourceType type) {
    return byType.get(type);
  }
}
