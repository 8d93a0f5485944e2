package io.kodiak.model.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.catalog.ResourceType;
import java.util.Objects;

/**
 * One resource: its identity, store metadata and spec.
 *
 * <p>The spec is the resource's content as a JSON tree: for Mesh/Dataplane/Secret the top-level
 * fields other than {@code type, mesh, name, labels, creationTime, modificationTime}; for policies
 * the {@code spec} object. The tree is copied on construction and must never be mutated afterwards;
 * that makes a Resource safe to share between threads. Policy modules read it into their own typed
 * records.
 */
public record Resource(ResourceKey key, ResourceMeta meta, ObjectNode spec) {
  public Resource {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(meta, "meta");
    spec = Objects.requireNonNull(spec, "spec").deepCopy();
  }

  public ResourceType type() {
    return key.type();
  }

  public String mesh() {
    return key.mesh();
  }

  public String name() {
    return key.name();
  }

  public Resource withMeta(ResourceMeta newMeta) {
    return new Resource(key, newMeta, spec);
  }
}
