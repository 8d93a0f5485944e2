package io.kodiak.cp.leader;

import java.util.ArrayDeque;
import java.util.Deque;

/** {@link Leadership#always()}: tasks start at once on the caller's thread; stopped at close. */
final class AlwaysLeader implements Leadership {
  private final Deque<SingletonTask.Stop> started = new ArrayDeque<>(); // guarded by this
  private boolean closed; // guarded by this

  @Override
  public synchronized void whileLeader(String name, SingletonTask task) {
    if (closed) {
      throw new IllegalStateException("leadership closed: cannot start " + name);
    }
    started.push(task.start());
  }

  @Override
  public boolean isLeader() {
    return true;
  }

  @Override
  public synchronized void close() {
    closed = true;
    while (!started.isEmpty()) {
      started.pop().stop(); // the last started first
    }
  }
}
