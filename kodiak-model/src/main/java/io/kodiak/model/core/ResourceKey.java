package io.kodiak.model.core;

import io.kodiak.model.catalog.ResourceType;
import java.util.Objects;

/** Identity of a stored resource. {@code mesh} is empty for global types (Mesh itself). */
public record ResourceKey(ResourceType type, String mesh, String name) {
  public ResourceKey {
    Objects.requireNonNull(type, "type");
    mesh = type.isMeshScoped() ? Objects.requireNonNull(mesh, "mesh") : "";
    Objects.requireNonNull(name, "name");
  }

  public static ResourceKey of(ResourceType type, String mesh, String name) {
    return new ResourceKey(type, mesh, name);
  }

  @Override
  public String toString() {
    return mesh.isEmpty() ? type.name() + "/" + name : type.name() + "/" + mesh + "/" + name;
  }
}
