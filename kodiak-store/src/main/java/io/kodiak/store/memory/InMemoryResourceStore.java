package io.kodiak.store.memory;

import java.time.Clock;

/** A store that keeps nothing across restarts; for tests and throw-away control planes. */
public final class InMemoryResourceStore extends IndexedResourceStore {
  public InMemoryResourceStore(Clock clock) {
    super(Persistence.NONE, clock);
  }
}
