package io.kodiak.cp.leader;

/**
 * Whether this replica runs the singleton work, and that work: a task handed to {@link
 * #whileLeader} runs whenever this replica is or becomes the leader, and is stopped when it stops
 * being it. Every replica serves REST and xDS whether it leads or not. Thread-safe.
 */
public interface Leadership extends AutoCloseable {
  /**
   * Runs {@code task} while this replica leads: now if it does, and again at each later election.
   * Tasks start one at a time, in the order handed in.
   *
   * @param name what the task does, for log lines
   */
  void whileLeader(String name, SingletonTask task);

  /** Whether this replica leads now; a task that writes checks it before each write. */
  boolean isLeader();

  /** Stops the running tasks and starts none after; gives up leadership. */
  @Override
  void close();

  /**
   * The only replica: leads from the start and never stops (Universal mode, where the store is this
   * process's own). {@link #whileLeader} runs the task on the calling thread before it returns, and
   * a failure is the caller's.
   */
  static Leadership always() {
    return new AlwaysLeader();
  }
}
