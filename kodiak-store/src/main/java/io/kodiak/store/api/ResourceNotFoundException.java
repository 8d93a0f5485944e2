package io.kodiak.store.api;

import io.kodiak.model.core.ResourceKey;

/** The resource does not exist. */
public final class ResourceNotFoundException extends StoreException {
  public ResourceNotFoundException(ResourceKey key) {
    super(key, key + " does not exist", null);
  }
}
