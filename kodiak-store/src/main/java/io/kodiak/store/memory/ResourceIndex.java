package io.kodiak.store.memory;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourcePage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Every resource in memory, by type, sorted by mesh then name: what the stores serve reads from.
 * Reads are thread-safe and never block; writes are the owning store's, made under its own lock.
 */
public final class ResourceIndex {
  private static final char SEP = '\u0000';

  private final Map<ResourceType, ConcurrentSkipListMap<String, Resource>> byType =
      new ConcurrentHashMap<>();

  public ResourceIndex() {
    for (ResourceType type : ResourceCatalog.all()) {
      byType.put(type, new ConcurrentSkipListMap<>());
    }
  }

  public Optional<Resource> get(ResourceKey key) {
    return Optional.ofNullable(table(key.type()).get(indexKey(key)));
  }

  public void put(Resource resource) {
    table(resource.type()).put(indexKey(resource.key()), resource);
  }

  public void remove(ResourceKey key) {
    table(key.type()).remove(indexKey(key));
  }

  /** Every resource of every type, for comparing the whole index with a fresh read. */
  public List<Resource> all() {
    List<Resource> out = new ArrayList<>();
    byType.values().forEach(table -> out.addAll(table.values()));
    return out;
  }

  /** The resources of every mesh-scoped type inside {@code mesh}. */
  public List<Resource> inMesh(String mesh) {
    List<Resource> out = new ArrayList<>();
    for (ResourceType type : ResourceCatalog.all()) {
      if (type.isMeshScoped()) {
        out.addAll(meshRange(type, mesh).values());
      }
    }
    return out;
  }

  public ResourcePage list(ResourceType type, ListQuery query) {
    Collection<Resource> scope =
        query.mesh().isPresent() && type.isMeshScoped()
            ? meshRange(type, query.mesh().get()).values()
            : table(type).values();
    List<Resource> page = new ArrayList<>();
    int total = 0;
    for (Resource resource : scope) {
      if (!query.matches(resource)) {
        continue;
      }
      if (total >= query.offset() && page.size() < query.size()) {
        page.add(resource);
      }
      total++;
    }
    return new ResourcePage(page, total);
  }

  public int count(ResourceType type, Optional<String> mesh) {
    return mesh.isPresent() && type.isMeshScoped()
        ? meshRange(type, mesh.get()).size()
        : table(type).size();
  }

  private ConcurrentSkipListMap<String, Resource> table(ResourceType type) {
    return byType.get(type);
  }

  private ConcurrentNavigableMap<String, Resource> meshRange(ResourceType type, String mesh) {
    return table(type).subMap(mesh + SEP, true, mesh + (char) (SEP + 1), false);
  }

  private static String indexKey(ResourceKey key) {
    return key.mesh() + SEP + key.name();
  }
}
