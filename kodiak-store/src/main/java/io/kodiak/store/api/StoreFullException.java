package io.kodiak.store.api;

import io.kodiak.model.core.ResourceKey;

/**
 * The control plane has no room for more resources (every stored resource lives in its memory); the
 * write did not happen. Deleting resources or giving the control plane more memory helps.
 */
public final class StoreFullException extends StoreException {
  public StoreFullException(ResourceKey key, String message) {
    super(key, message, null);
  }
}
