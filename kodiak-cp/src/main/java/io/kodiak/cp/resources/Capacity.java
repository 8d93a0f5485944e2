package io.kodiak.cp.resources;

import java.util.Optional;

/**
 * Whether the control plane has room for another write. {@link ResourceManager} asks before each
 * create or update and refuses the write when there is none; deletes are always let through.
 * Implementations are thread-safe.
 */
public interface Capacity {
  /** Room for everything: no write is ever refused. */
  Capacity UNLIMITED = Optional::empty;

  /**
   * Empty when a write may go ahead; otherwise why not, with numbers, for the client and the log.
   */
  Optional<String> refusal();

  /** Called after a delete, which may have made room. */
  default void released() {}
}
