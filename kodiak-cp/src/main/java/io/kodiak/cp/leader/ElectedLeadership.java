package io.kodiak.cp.leader;

import io.kodiak.k8s.leader.Candidate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership won in an election among replicas (a Kubernetes Lease), told through {@link
 * Candidate}. On election the tasks start one at a time, in the order handed in, on a thread of
 * their own (the election's thread must keep renewing); one that fails is retried after {@code
 * retry} while this replica still leads. On deposition the started tasks are stopped at once, a
 * start in progress is stopped when it returns, and no further one starts. {@link #close} stops the
 * tasks, waits briefly for a write in progress, then leaves the election (releasing the Lease), so
 * the next leader does not overlap with it. Thread-safe.
 */
public final class ElectedLeadership implements Leadership, Candidate {
  private static final Logger LOG = LoggerFactory.getLogger(ElectedLeadership.class);
  private static final Duration WRITE_IN_PROGRESS = Duration.ofSeconds(10);

  private final Duration retry;
  private final ScheduledThreadPoolExecutor worker =
      new ScheduledThreadPoolExecutor(
          1,
          r -> {
            Thread t = new Thread(r, "singleton-work");
            t.setDaemon(true);
            return t;
          });
  private final List<Task> tasks = new ArrayList<>(); // guarded by this

  /** Moves at every election and deposition: a start queued in an earlier term never runs. */
  private long term; // guarded by this

  private volatile boolean leading;
  private boolean closed; // guarded by this
  private AutoCloseable election = () -> {}; // guarded by this

  private ElectedLeadership(Duration retry) {
    this.retry = retry;
    worker.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // no retry after close
  }

  /**
   * A leadership decided by the election {@code join} enters (given this as its candidate; what it
   * returns is left at {@link #close}).
   *
   * @param retry how long after a failed start the task is started again
   */
  public static ElectedLeadership join(
      Duration retry, Function<Candidate, ? extends AutoCloseable> join) {
    ElectedLeadership leadership = new ElectedLeadership(retry);
    AutoCloseable election = join.apply(leadership);
    synchronized (leadership) {
      leadership.election = election;
    }
    return leadership;
  }

  @Override
  public synchronized void whileLeader(String name, SingletonTask task) {
    Task added = new Task(name, task);
    tasks.add(added);
    if (leading) {
      schedule(added, term, Duration.ZERO);
    }
  }

  @Override
  public boolean isLeader() {
    return leading;
  }

  @Override
  public synchronized void elected() {
    if (closed || leading) {
      return;
    }
    leading = true;
    term++;
    for (Task task : tasks) {
      schedule(task, term, Duration.ZERO);
    }
  }

  @Override
  public void deposed() {
    List<Task> started = new ArrayList<>();
    synchronized (this) {
      if (!leading) {
        return;
      }
      leading = false;
      term++;
      for (int i = tasks.size() - 1; i >= 0; i--) { // the last started first
        if (tasks.get(i).stop != null) {
          started.add(tasks.get(i));
        }
      }
    }
    started.forEach(this::stop);
  }

  private void schedule(Task task, long inTerm, Duration delay) {
    worker.schedule(() -> start(task, inTerm), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void start(Task task, long inTerm) {
    synchronized (this) {
      if (term != inTerm) {
        return; // leadership ended (or ended and came back) since this start was queued
      }
    }
    SingletonTask.Stop stop;
    try {
      stop = task.work.start();
    } catch (RuntimeException e) {
      LOG.error(
          "singleton work: {} failed ({}); retried in {} while this replica leads",
          task.name,
          e.toString(),
          retry,
          e);
      synchronized (this) {
        if (term == inTerm && !closed) {
          schedule(task, inTerm, retry);
        }
      }
      return;
    }
    boolean current;
    synchronized (this) {
      current = term == inTerm;
      if (current) {
        task.stop = stop;
      }
    }
    if (!current) {
      stop.stop(); // leadership ended while it started
    }
  }

  private void stop(Task task) {
    SingletonTask.Stop stop;
    synchronized (this) {
      stop = task.stop;
      task.stop = null;
    }
    if (stop == null) {
      return;
    }
    try {
      stop.stop();
    } catch (RuntimeException e) {
      LOG.error("singleton work: could not stop {}: {}", task.name, e.toString(), e);
    }
  }

  @Override
  public void close() {
    AutoCloseable leave;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true; // first: no election now starts anything
      leave = election;
    }
    deposed();
    worker.shutdown();
    try {
      if (!worker.awaitTermination(WRITE_IN_PROGRESS.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "singleton work: a task still runs {} after leadership ended; leaving the election",
            WRITE_IN_PROGRESS);
      }
      leave.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.error("leader election: could not leave the election: {}", e.toString(), e);
    }
  }

  /** One task and, while it is started, how to stop it. */
  private static final class Task {
    final String name;
    final SingletonTask work;
    SingletonTask.Stop stop; // guarded by the leadership

    Task(String name, SingletonTask work) {
      this.name = name;
      this.work = work;
    }
  }
}
