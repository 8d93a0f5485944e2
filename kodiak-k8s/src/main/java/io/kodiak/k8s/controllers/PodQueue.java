package io.kodiak.k8s.controllers;

import java.util.LinkedHashSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Pod keys waiting to be reconciled, each at most once however often it changed meanwhile, in the
 * order they first came. Thread-safe.
 */
final class PodQueue {
  private final LinkedHashSet<String> keys = new LinkedHashSet<>();
  private final ScheduledExecutorService retries =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "pod-dataplanes-retry");
            thread.setDaemon(true);
            return thread;
          });

  synchronized void add(String key) {
    if (keys.add(key)) {
      notifyAll();
    }
  }

  /** Queues the key again after a failure, once {@code millis} have passed. */
  void addLater(String key, long millis) {
    if (!retries.isShutdown()) {
      retries.schedule(() -> add(key), millis, TimeUnit.MILLISECONDS);
    }
  }

  /** The oldest key, waiting for one when there is none. */
  synchronized String take() throws InterruptedException {
    while (keys.isEmpty()) {
      wait();
    }
    var first = keys.iterator();
    String key = first.next();
    first.remove();
    return key;
  }

  /** Forgets every waiting key (the next term queues them all again). */
  synchronized void clear() {
    keys.clear();
  }

  void close() {
    retries.shutdownNow();
  }
}
