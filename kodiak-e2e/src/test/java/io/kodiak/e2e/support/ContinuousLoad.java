package io.kodiak.e2e.support;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Sends HTTP requests to a port back to back, on its own thread, counting answers and failures. */
public final class ContinuousLoad implements AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger ok = new AtomicInteger();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Thread thread;

  private ContinuousLoad(int port) {
    thread =
        new Thread(
            () -> {
              while (!stop.get()) {
                Traffic.Answer answer = Traffic.get(port, "/");
                if (answer.status() == 200) {
                  ok.incrementAndGet();
                } else {
                  failures.add(Instant.now() + " " + answer.status() + " " + answer.body());
                }
              }
            },
            "load-" + port);
  }

  public static ContinuousLoad start(int port) {
    ContinuousLoad load = new ContinuousLoad(port);
    load.thread.start();
    return load;
  }

  /** Successful requests so far. */
  public int ok() {
    return ok.get();
  }

  /** Each failed request: when, status (0 for a broken connection) and body. */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join();
  }
}
