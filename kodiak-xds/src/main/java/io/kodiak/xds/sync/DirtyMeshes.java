package io.kodiak.xds.sync;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The meshes changed since the last flush, and the debounce: the first change after a flush
 * schedules one flush on the worker a debounce later; the changes until it runs join its batch.
 *
 * <p>Thread-safe: any thread marks (the store's change threads, gRPC stream threads, mTLS timers);
 * the pending changes are guarded by the lock of their map, and {@code scheduled} lets exactly one
 * marker schedule the next flush. {@link #take()} runs on the worker, in the flush.
 */
final class DirtyMeshes {
  private final Map<String, MeshChange> pending = new HashMap<>(); // by mesh; guarded by itself
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final ScheduledExecutorService worker;
  private final Duration debounce;
  private final Runnable flush;

  /**
   * @param flush runs on {@code worker} a debounce after the first change since the last flush
   */
  DirtyMeshes(ScheduledExecutorService worker, Duration debounce, Runnable flush) {
    this.worker = worker;
    this.debounce = debounce;
    this.flush = flush;
  }

  /** Records what changed in a mesh, and schedules a flush unless one is already due. */
  void mark(String mesh, Consumer<MeshChange> what) {
    synchronized (pending) {
      what.accept(pending.computeIfAbsent(mesh, m -> new MeshChange()));
    }
    if (scheduled.compareAndSet(false, true)) {
      worker.schedule(flush, debounce.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Takes every pending change, by mesh. Called first thing in the flush: a change from here on
   * schedules the next flush (it may find nothing left, never a change left behind).
   */
  Map<String, MeshChange> take() {
    scheduled.set(false);
    synchronized (pending) {
      Map<String, MeshChange> batch = new HashMap<>(pending);
      pending.clear();
      return batch;
    }
  }
}
