package io.kodiak.store.api;

import io.kodiak.model.core.ResourceKey;

/** The resource already exists. */
public final class ResourceAlreadyExistsException extends StoreException {
  public ResourceAlreadyExistsException(ResourceKey key) {
    super(key, key + " already exists", null);
  }
}
