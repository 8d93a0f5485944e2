package io.kodiak.store.memory;

import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import java.util.List;
import java.util.Map;

/**
 * Where {@link IndexedResourceStore} makes its writes durable. Each method is one atomic
 * transaction; when it returns, the change survives a crash of the process. Called under the
 * store's write lock, so implementations need not be thread-safe.
 */
public interface Persistence extends AutoCloseable {
  List<Resource> loadAll();

  Map<String, String> loadSettings();

  void insert(Resource resource);

  void update(Resource resource);

  /** Deletes all of {@code keys} in one transaction. */
  void delete(List<ResourceKey> keys);

  void putSetting(String key, String value);

  @Override
  void close();

  /** Keeps nothing: for tests and throw-away control planes. */
  Persistence NONE =
      new Persistence() {
        @Override
        public List<Resource> loadAll() {
          return List.of();
        }

        @Override
        public Map<String, String> loadSettings() {
          return Map.of();
        }

        @Override
        public void insert(Resource resource) {}

        @Override
        public void update(Resource resource) {}

        @Override
        public void delete(List<ResourceKey> keys) {}

        @Override
        public void putSetting(String key, String value) {}

        @Override
        public void close() {}
      };
}
