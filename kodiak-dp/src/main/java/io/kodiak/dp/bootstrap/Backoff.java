package io.kodiak.dp.bootstrap;

import java.time.Duration;

/** Exponential backoff between retries, capped. Not thread-safe. */
public final class Backoff {
  private final Duration max;
  private Duration next;
  private final Duration initial;

  public Backoff(Duration initial, Duration max) {
    this.initial = initial;
    this.next = initial;
    this.max = max;
  }

  public Duration peek() {
    return next;
  }

  public void sleep() throws InterruptedException {
    Thread.sleep(next.toMillis());
    next = next.multipliedBy(2).compareTo(max) > 0 ? max : next.multipliedBy(2);
  }

  public void reset() {
    next = initial;
  }
}
