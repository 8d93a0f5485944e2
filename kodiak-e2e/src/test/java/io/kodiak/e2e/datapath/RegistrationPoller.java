package io.kodiak.e2e.datapath;

import io.kodiak.e2e.support.ProxyStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads some Dataplanes through the REST API over and over (every 100 ms) while a control plane
 * restarts, and remembers every distinct answer: their creation and modification times, or the
 * status when one could not be read (a 404 means it was absent). Times when nothing answered (the
 * control plane was down) are not answers. Thread-safe.
 */
final class RegistrationPoller implements AutoCloseable {
  private final Map<String, Set<String>> seen = new ConcurrentHashMap<>();
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

  RegistrationPoller(String cpUrl, List<String> dataplanes) {
    dataplanes.forEach(name -> seen.put(name, ConcurrentHashMap.newKeySet()));
    executor.scheduleWithFixedDelay(
        () -> {
          for (String name : dataplanes) {
            ProxyStatus.Reply reply = ProxyStatus.get(cpUrl, "/meshes/default/dataplanes/" + name);
            if (!notAnswering(reply)) {
              seen.get(name).add(ControlPlaneRestartTest.identity(reply));
            }
          }
        },
        0,
        100,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Whether the control plane was not there to answer: no connection, or the HTTP server's own 503
   * while it stops gracefully (plain text; the API's own errors, a 503 of the store included, are
   * JSON problems with a title and are kept).
   */
  private static boolean notAnswering(ProxyStatus.Reply reply) {
    return reply.status() == 0 || (reply.status() == 503 && !reply.body().contains("\"title\""));
  }

  /** Every distinct answer so far for this Dataplane. */
  Set<String> seen(String name) {
    return Set.copyOf(seen.get(name));
  }

  @Override
  public void close() throws InterruptedException {
    executor.shutdownNow();
    executor.awaitTermination(10, TimeUnit.SECONDS);
  }
}
