package io.kodiak.cp.metrics;

import io.kodiak.cp.resources.Capacity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How much of the long-lived heap (the old generation, where every stored resource ends up) is
 * still free after garbage collection. The JVM tells us through two notifications of that pool,
 * nothing polls: its usage threshold (the pool filled past the warning level, garbage included;
 * then one full collection is asked for, since with the serial collector the pool's after-GC figure
 * is otherwise only updated when it is completely full) and its collection-usage threshold (a
 * collection left it above the warning level). Above {@link Levels#warn} one warning line is
 * logged; above {@link Levels#refuse} creates and updates are refused (see {@link Capacity}) until
 * a collection leaves less than {@link Levels#resume}, so the control plane stops taking resources
 * before it spends its time collecting garbage, and keeps serving reads and proxies. While
 * refusing, deletes and refused writes ask for a collection (see {@link #askCollection}), because
 * only a collection can show the room deletes made. Exports {@code kodiak_heap_headroom_bytes},
 * {@code kodiak_heap_headroom_ratio} and {@code kodiak_writes_refused_total}. Thread-safe.
 */
public final class HeapHeadroom implements Capacity, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeapHeadroom.class);
  private static final long MIB = 1 << 20;

  /** Fractions of the long-lived pool's maximum that are still live after a collection. */
  public record Levels(double warn, double refuse, double resume) {
    /**
     * Measured with kodiak-bench/capacity.sh (192 MiB heap, serial collector): writes kept most of
     * their rate with 93 % of the pool live after collection and stalled in full collections (under
     * a tenth of the rate) just past it.
     */
    public static final Levels DEFAULT = new Levels(0.75, 0.90, 0.85);
  }

  private final MemoryPoolMXBean pool;
  private final long max;
  private final Levels levels;
  private final IntSupplier stored;
  private final NotificationEmitter emitter =
      (NotificationEmitter) ManagementFactory.getMemoryMXBean();
  private final NotificationListener listener = this::onNotification;

  /** A collection is scheduled and has not started yet. */
  private final AtomicBoolean collectionAsked = new AtomicBoolean();

  private final ScheduledExecutorService collector =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "heap-headroom");
            t.setDaemon(true);
            return t;
          });
  private final Counter refusedWrites;
  private boolean warned;
  private volatile long lastCollectionStart = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
  private volatile long lastCollectionNanos;
  private volatile String refusal;

  private HeapHeadroom(
      MemoryPoolMXBean pool, MeterRegistry registry, IntSupplier stored, Levels levels) {
    this.pool = pool;
    this.max =
        pool.getUsage().getMax() > 0 ? pool.getUsage().getMax() : Runtime.getRuntime().maxMemory();
    this.levels = levels;
    this.stored = stored;
    Gauge.builder("kodiak_heap_headroom_bytes", this, HeapHeadroom::headroom)
        .baseUnit("bytes")
        .description(
            "Long-lived heap still free after the last collection; writes are refused below "
                + percent(1 - levels.refuse())
                + " % of it")
        .tag("pool", pool.getName())
        .register(registry);
    Gauge.builder("kodiak_heap_headroom_ratio", this, h -> (double) h.headroom() / h.max)
        .description("kodiak_heap_headroom_bytes as a fraction of the long-lived heap")
        .tag("pool", pool.getName())
        .register(registry);
    refusedWrites =
        Counter.builder("kodiak_writes_refused_total")
            .description("Creates and updates refused (HTTP 507) for lack of heap")
            .register(registry);
    long warnBytes = Math.max(1, (long) (max * levels.warn()));
    pool.setCollectionUsageThreshold(warnBytes);
    pool.setUsageThreshold(warnBytes);
    emitter.addNotificationListener(
        listener,
        n ->
            MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(n.getType())
                || MemoryNotificationInfo.MEMORY_THRESHOLD_EXCEEDED.equals(n.getType()),
        null);
  }

  /**
   * Watches the long-lived heap pool, if this JVM's collector has one that reports usage after
   * collection (every HotSpot collector but Epsilon).
   *
   * @param storedResources how many resources are stored, for the log lines
   */
  public static Optional<HeapHeadroom> watch(
      MeterRegistry registry, IntSupplier storedResources, Levels levels) {
    return longLivedPool().map(pool -> new HeapHeadroom(pool, registry, storedResources, levels));
  }

  @Override
  public Optional<String> refusal() {
    if (refusal == null) {
      return Optional.empty();
    }
    assess(pool.getCollectionUsage().getUsed());
    String why = refusal;
    if (why != null) {
      refusedWrites.increment();
      askCollection();
    }
    return Optional.ofNullable(why);
  }

  @Override
  public void released() {
    if (refusal != null) {
      askCollection();
    }
  }

  /**
   * Only a full collection shows what is live (and the room deletes made). Asked for when the pool
   * crosses its usage threshold and, while refusing, on a delete or a refused write: coalesced, and
   * at least ten times its own duration (and 1 s) after the previous one, so a client retrying in a
   * loop costs at most a tenth of a core.
   */
  private void askCollection() {
    if (!collectionAsked.compareAndSet(false, true)) {
      return;
    }
    long gap = Math.max(TimeUnit.SECONDS.toNanos(1), 10 * lastCollectionNanos);
    long delay = Math.max(0, lastCollectionStart + gap - System.nanoTime());
    collector.schedule(
        () -> {
          collectionAsked.set(false);
          lastCollectionStart = System.nanoTime();
          System.gc();
          lastCollectionNanos = System.nanoTime() - lastCollectionStart;
          assess(pool.getCollectionUsage().getUsed());
        },
        delay,
        TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    try {
      emitter.removeNotificationListener(listener);
    } catch (ListenerNotFoundException e) {
      // already removed
    }
    collector.shutdownNow();
  }

  private long headroom() {
    return Math.max(0, max - pool.getCollectionUsage().getUsed());
  }

  private void onNotification(Notification notification, Object handback) {
    MemoryNotificationInfo info =
        MemoryNotificationInfo.from((CompositeData) notification.getUserData());
    if (!info.getPoolName().equals(pool.getName())) {
      return;
    }
    if (MemoryNotificationInfo.MEMORY_THRESHOLD_EXCEEDED.equals(notification.getType())) {
      askCollection(); // the pool filled past the mark, garbage included: measure what is live
    } else {
      assess(info.getUsage().getUsed());
    }
  }

  /** Moves between accepting, warned and refusing on a live-after-collection figure. */
  private synchronized void assess(long live) {
    double used = (double) live / max;
    // The warning comes first, also when this one measurement already crossed the refusal level
    // (the pool is only measured at a full collection, and one young collection can promote
    // several MiB): whoever reads the log sees the warning before the first refused write.
    if (used >= levels.warn() && !warned && refusal == null) {
      LOG.warn(
          "heap: {} MiB of {} MiB long-lived heap still in use after garbage collection ({} %) with {}"
              + " resources stored; writes are refused from {} %: give the control plane more heap"
              + " (KODIAK_CP_MAX_HEAP, now {} MiB in all)",
          live / MIB,
          max / MIB,
          percent(used),
          String.format("%,d", stored.getAsInt()),
          percent(levels.refuse()),
          Runtime.getRuntime().maxMemory() / MIB);
    }
    if (used >= levels.refuse() && refusal == null) {
      refusal =
          String.format(
              "the control plane has no memory left for more resources: %d MiB of its %d MiB"
                  + " long-lived heap are still in use after garbage collection (%d %%, limit %d %%) with %,d resources"
                  + " stored. Delete resources, or restart it with more heap (KODIAK_CP_MAX_HEAP, now %d MiB in all);"
                  + " reads and proxies are still served",
              live / MIB,
              max / MIB,
              percent(used),
              percent(levels.refuse()),
              stored.getAsInt(),
              Runtime.getRuntime().maxMemory() / MIB);
      LOG.warn(
          "heap: refusing creates and updates (HTTP 507) until under {} %: {}",
          percent(levels.resume()), refusal);
    } else if (refusal != null && used < levels.resume()) {
      refusal = null;
      LOG.info(
          "heap: accepting writes again: {} MiB of {} MiB long-lived heap in use after collection ({} %)",
          live / MIB, max / MIB, percent(used));
    }
    warned = used >= levels.warn();
    // The next measurement when the pool has filled half of what is left, but by the refuse level
    // at the latest and never under the warn level: a live heap just under the warn level does not
    // cause a collection at every crossing, and the refusal comes at its level, not at the cliff.
    pool.setUsageThreshold(
        Math.max(
            (long) (max * levels.warn()),
            Math.min(live + (max - live) / 2, (long) (max * levels.refuse()))));
  }

  private static long percent(double fraction) {
    return Math.round(fraction * 100);
  }

  /**
   * The old generation: a heap pool that reports usage after collection and has a usage threshold.
   */
  private static Optional<MemoryPoolMXBean> longLivedPool() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(
            p ->
                p.getType() == MemoryType.HEAP
                    && p.isCollectionUsageThresholdSupported()
                    && p.isUsageThresholdSupported())
        .max(
            Comparator.comparing((MemoryPoolMXBean p) -> p.getName().matches(".*(Old|Tenured).*")));
  }
}
