package io.kodiak.e2e.support;

import java.util.ArrayDeque;
import java.util.Deque;

/** What a test started (processes, servers, control planes), closed last-started-first. */
public final class Running implements AutoCloseable {
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  /** Remembers {@code thing} for closing and returns it. */
  public <T extends AutoCloseable> T add(T thing) {
    started.push(thing);
    return thing;
  }

  @Override
  public void close() throws Exception {
    while (!started.isEmpty()) {
      started.pop().close();
    }
  }
}
