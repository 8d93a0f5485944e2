package io.kodiak.store.api;

import io.kodiak.model.core.ResourceKey;

/** The resource changed since the caller read it: the expected version is stale. */
public final class ResourceConflictException extends StoreException {
  public ResourceConflictException(ResourceKey key, long expected, long actual) {
    super(
        key,
        key + " was modified concurrently: expected version " + expected + " but found " + actual,
        null);
  }
}
