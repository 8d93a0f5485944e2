package io.kodiak.store.api;

import io.kodiak.model.core.Resource;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Filters and paging of a list request.
 *
 * @param mesh only resources of this mesh; empty for all meshes (and for global types)
 * @param nameContains keep names containing this text; empty keeps all
 * @param labels keep resources carrying every one of these labels with these values
 * @param offset how many matching resources to skip
 * @param size the page size, at least 1
 */
public record ListQuery(
    Optional<String> mesh, String nameContains, Map<String, String> labels, int offset, int size) {
  public ListQuery {
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(nameContains, "nameContains");
    labels = Map.copyOf(labels);
    if (offset < 0 || size < 1) {
      throw new IllegalArgumentException("offset must be >= 0 and size >= 1");
    }
  }

  /** Whether a resource passes the name and label filters (the mesh is the caller's to check). */
  public boolean matches(Resource resource) {
    if (!nameContains.isEmpty() && !resource.name().contains(nameContains)) {
      return false;
    }
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (!label.getValue().equals(resource.meta().labels().get(label.getKey()))) {
        return false;
      }
    }
    return true;
  }

  public static ListQuery all(Optional<String> mesh) {
    return new ListQuery(mesh, "", Map.of(), 0, Integer.MAX_VALUE);
  }
}
