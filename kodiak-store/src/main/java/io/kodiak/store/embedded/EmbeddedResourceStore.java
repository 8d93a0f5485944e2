package io.kodiak.store.embedded;

import io.kodiak.store.memory.IndexedResourceStore;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The default store: reads from memory, writes through to an SQLite file before they are
 * acknowledged, so an accepted write survives {@code kill -9}. Thread-safe.
 */
public final class EmbeddedResourceStore extends IndexedResourceStore {
  public EmbeddedResourceStore(Path file, SyncMode sync, Clock clock) {
    super(new SqlitePersistence(file, sync), clock);
  }
}
