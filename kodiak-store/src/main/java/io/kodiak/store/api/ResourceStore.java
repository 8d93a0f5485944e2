package io.kodiak.store.api;

import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import java.util.Optional;

/**
 * Durable storage of resources with optimistic concurrency. Implementations are thread-safe, apply
 * each write atomically, and notify {@link ChangeListener}s after the write is durable, in write
 * order.
 */
public interface ResourceStore extends AutoCloseable {
  /**
   * Stores a new resource; sets version 1 and both timestamps.
   *
   * @throws ResourceAlreadyExistsException when the key is taken
   * @throws ResourceNotFoundException (for the Mesh) when a mesh-scoped resource names a mesh that
   *     does not exist; checked atomically with the write, so a concurrent mesh deletion cannot
   *     leave orphans
   */
  Resource create(Resource resource);

  /**
   * Replaces a resource's labels and spec if its stored version is {@code expectedVersion}; bumps
   * the version and modification time. An update that changes nothing stores nothing, emits no
   * event, and returns the stored resource.
   *
   * @throws ResourceNotFoundException when it does not exist
   * @throws ResourceConflictException when the stored version differs
   */
  Resource update(Resource resource, long expectedVersion);

  /**
   * Deletes a resource. Deleting a Mesh deletes every resource inside it in the same transaction.
   *
   * @throws ResourceNotFoundException when it does not exist
   */
  void delete(ResourceKey key);

  Optional<Resource> get(ResourceKey key);

  /** One page of the resources of a type, sorted by mesh then name. */
  ResourcePage list(ResourceType type, ListQuery query);

  /** Number of resources of a type in a mesh (all meshes when mesh is empty). */
  int count(ResourceType type, Optional<String> mesh);

  /** Reads a store-level setting such as a one-time marker. */
  Optional<String> setting(String key);

  /** Writes a store-level setting durably. */
  void putSetting(String key, String value);

  /**
   * Writes {@code value} unless the setting has one, and returns the one it has then: the first
   * writer's, also when several processes share the store (replicas starting together).
   */
  String settingIfAbsent(String key, String value);

  void addListener(ChangeListener listener);

  @Override
  void close();
}
