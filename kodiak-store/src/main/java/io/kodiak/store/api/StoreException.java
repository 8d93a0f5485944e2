package io.kodiak.store.api;

import io.kodiak.model.core.ResourceKey;

/** Base of the store's expected failures; each names the resource concerned. */
public abstract sealed class StoreException extends RuntimeException
    permits ResourceNotFoundException,
        ResourceAlreadyExistsException,
        ResourceConflictException,
        StoreUnavailableException,
        StoreFullException {
  private final transient ResourceKey key;

  protected StoreException(ResourceKey key, String message, Throwable cause) {
    super(message, cause);
    this.key = key;
  }

  public ResourceKey key() {
    return key;
  }
}
