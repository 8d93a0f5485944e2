package io.kodiak.store.api;

/**
 * Receives every change after it is durable, in write order, on the writing thread. Must return
 * quickly and not write to the store; hand work to another thread.
 */
@FunctionalInterface
public interface ChangeListener {
  void onChange(ResourceChange change);
}
