package io.kodiak.store.api;

import io.kodiak.model.core.ResourceKey;

/** The backing storage failed; the write did not happen. */
public final class StoreUnavailableException extends StoreException {
  public StoreUnavailableException(ResourceKey key, String message, Throwable cause) {
    super(key, message, cause);
  }
}
