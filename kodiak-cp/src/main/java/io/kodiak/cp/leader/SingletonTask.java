package io.kodiak.cp.leader;

/**
 * Work one control-plane replica at a time may do: defaults, CA creation, deregistration. {@link
 * #start} is called each time this replica becomes the leader, and returns how to stop what keeps
 * running after it returned (a listener, scheduled deletions). A task may be started again after a
 * stop, when the replica leads again; while it starts it checks {@link Leadership#isLeader} between
 * writes, so a lost leadership lets it finish its current write but begin no other.
 */
@FunctionalInterface
public interface SingletonTask {
  Stop start();

  /** Work that is done when it returns: nothing to stop. */
  static SingletonTask once(Runnable work) {
    return () -> {
      work.run();
      return Stop.NOTHING;
    };
  }

  /**
   * Stops what a started task left running. Called at most once per start, from any thread; must
   * return promptly, without waiting for a write in progress.
   */
  @FunctionalInterface
  interface Stop {
    Stop NOTHING = () -> {};

    void stop();
  }
}
