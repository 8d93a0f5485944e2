package io.kodiak.store.memory;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.core.ResourceMeta;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ChangeListener;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceAlreadyExistsException;
import io.kodiak.store.api.ResourceChange;
import io.kodiak.store.api.ResourceConflictException;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.ResourcePage;
import io.kodiak.store.api.ResourceStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store that serves every read from memory and makes each write durable through a {@link
 * Persistence} before it becomes visible. Writes are serialized; reads never block. Thread-safe.
 */
public class IndexedResourceStore implements ResourceStore {
  private static final Logger LOG = LoggerFactory.getLogger(IndexedResourceStore.class);

  private final Persistence persistence;
  private final Clock clock;
  private final ResourceIndex index = new ResourceIndex();
  private final Map<String, String> settings = new ConcurrentHashMap<>();
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final Object writeLock = new Object();

  public IndexedResourceStore(Persistence persistence, Clock clock) {
    this.persistence = persistence;
    this.clock = clock;
    for (Resource resource : persistence.loadAll()) {
      index.put(resource);
    }
    settings.putAll(persistence.loadSettings());
  }

  @Override
  public Resource create(Resource resource) {
    synchronized (writeLock) {
      if (index.get(resource.key()).isPresent()) {
        throw new ResourceAlreadyExistsException(resource.key());
      }
      requireMesh(resource.key());
      Instant now = now();
      Resource stored = resource.withMeta(new ResourceMeta(1, now, now, resource.meta().labels()));
      persistence.insert(stored);
      index.put(stored);
      publish(ChangeKind.CREATED, stored);
      return stored;
    }
  }

  @Override
  public Resource update(Resource resource, long expectedVersion) {
    synchronized (writeLock) {
      Resource current =
          get(resource.key()).orElseThrow(() -> new ResourceNotFoundException(resource.key()));
      if (current.meta().version() != expectedVersion) {
        throw new ResourceConflictException(
            resource.key(), expectedVersion, current.meta().version());
      }
      if (current.spec().equals(resource.spec())
          && current.meta().labels().equals(resource.meta().labels())) {
        return current;
      }
      ResourceMeta meta =
          new ResourceMeta(
              current.meta().version() + 1,
              current.meta().creationTime(),
              now(),
              resource.meta().labels());
      Resource stored = new Resource(resource.key(), meta, resource.spec());
      persistence.update(stored);
      index.put(stored);
      publish(ChangeKind.UPDATED, stored);
      return stored;
    }
  }

  @Override
  public void delete(ResourceKey key) {
    synchronized (writeLock) {
      Resource target = get(key).orElseThrow(() -> new ResourceNotFoundException(key));
      List<Resource> removed = new ArrayList<>();
      if (key.type() == ResourceCatalog.MESH) {
        removed.addAll(index.inMesh(key.name()));
      }
      removed.add(target);
      persistence.delete(removed.stream().map(Resource::key).toList());
      for (Resource resource : removed) {
        index.remove(resource.key());
        publish(ChangeKind.DELETED, resource);
      }
    }
  }

  @Override
  public Optional<Resource> get(ResourceKey key) {
    return index.get(key);
  }

  @Override
  public ResourcePage list(ResourceType type, ListQuery query) {
    return index.list(type, query);
  }

  @Override
  public int count(ResourceType type, Optional<String> mesh) {
    return index.count(type, mesh);
  }

  @Override
  public Optional<String> setting(String key) {
    return Optional.ofNullable(settings.get(key));
  }

  @Override
  public void putSetting(String key, String value) {
    synchronized (writeLock) {
      persistence.putSetting(key, value);
      settings.put(key, value);
    }
  }

  @Override
  public String settingIfAbsent(String key, String value) {
    synchronized (writeLock) { // one process owns this store (its file lock): the lock suffices
      String current = settings.get(key);
      if (current != null) {
        return current;
      }
      putSetting(key, value);
      return value;
    }
  }

  @Override
  public void addListener(ChangeListener listener) {
    listeners.add(listener);
  }

  @Override
  public void close() {
    synchronized (writeLock) {
      persistence.close();
    }
  }

  /**
   * A resource inside a mesh can only be written while that mesh exists (checked under the write
   * lock).
   */
  private void requireMesh(ResourceKey key) {
    if (key.type().isMeshScoped()) {
      ResourceKey mesh = ResourceKey.of(ResourceCatalog.MESH, "", key.mesh());
      if (get(mesh).isEmpty()) {
        throw new ResourceNotFoundException(mesh);
      }
    }
  }

  private void publish(ChangeKind kind, Resource resource) {
    ResourceChange change = new ResourceChange(kind, resource);
    for (ChangeListener listener : listeners) {
      try {
        listener.onChange(change);
      } catch (RuntimeException e) {
        LOG.error("change listener failed on {} {}: {}", kind, resource.key(), e.toString(), e);
      }
    }
  }

  private Instant now() {
    return clock.instant();
  }
}
