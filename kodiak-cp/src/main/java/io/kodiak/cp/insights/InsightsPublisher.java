package io.kodiak.cp.insights;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies what changed in this replica's insights to the shared store, at most once per {@link
 * #BATCH} (a connect storm is a few writes, not one per ACK) and never while nothing changes. A
 * failed write is kept and retried. Thread-safe.
 */
public final class InsightsPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InsightsPublisher.class);
  static final Duration BATCH = Duration.ofSeconds(1);
  private static final Duration RETRY = Duration.ofSeconds(5);
  private final DataplaneInsights insights;
  private final SharedInsights shared;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "insights-publisher");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean failing;

  public InsightsPublisher(DataplaneInsights insights, SharedInsights shared) {
    this.insights = insights;
    this.shared = shared;
    insights.onChange(this::changed);
  }

  private void changed() {
    if (scheduled.compareAndSet(false, true)) {
      executor.schedule(this::publish, BATCH.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void publish() {
    scheduled.set(false);
    DataplaneInsights.Changes changes = insights.takeChanges();
    if (changes.isEmpty()) {
      return;
    }
    try {
      shared.write(changes.jsonByNode(), changes.deleted());
      if (failing) {
        failing = false;
        LOG.info("insights: sharing with the other replicas works again");
      }
    } catch (Exception e) {
      insights.giveBack(changes);
      if (!failing) {
        failing = true;
        LOG.warn(
            "insights: could not share {} proxies' insights with the other replicas, retrying"
                + " every {} s: {}",
            changes.jsonByNode().size() + changes.deleted().size(),
            RETRY.toSeconds(),
            e.toString());
      }
      if (scheduled.compareAndSet(false, true)) {
        executor.schedule(this::publish, RETRY.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Writes what is pending (streams just closed), then stops. */
  @Override
  public void close() {
    executor.execute(this::publish);
    executor.shutdown();
    try {
      executor.awaitTermination(3, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }
}
