package io.kodiak.xds.sync;

import io.kodiak.xds.generate.ProxyConfig;
import io.kodiak.xds.server.XdsServer;
import io.kodiak.xds.sync.SnapshotSync.PublishListener;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands configs to the xDS server (diff, serialization and the gRPC writes of every waiting stream)
 * on its own thread while the worker generates the next proxies: on 2 cores the two halves overlap.
 * Tells the publish listener of each config before publishing it.
 *
 * <p>Thread-safety: {@link #publish} and {@link #forget} are called on the worker; the one
 * publisher thread runs them in that order, so each node's publications and its final forget stay
 * in order (forget is handed over between generations, see {@link SnapshotSync#proxyDisconnected}).
 * The listener is volatile, set at wiring and read on the publisher thread when each publication
 * runs; the count is an atomic read from any thread.
 */
final class Publication implements AutoCloseable {
  private final XdsServer xds;
  private final ExecutorService publisher =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "xds-publish");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong publications = new AtomicLong();
  private volatile PublishListener listener = PublishListener.NONE;

  Publication(XdsServer xds) {
    this.xds = xds;
  }

  void onPublished(PublishListener listener) {
    this.listener = listener;
  }

  /**
   * Queues a node's new config; {@code changedAtNanos} is when the change that caused it arrived.
   */
  void publish(String nodeId, ProxyConfig config, long changedAtNanos) {
    publisher.execute(
        () -> {
          listener.published(
              nodeId, changedAtNanos); // first: the proxy may ACK before publish returns
          xds.publish(nodeId, config);
        });
    publications.incrementAndGet();
  }

  /**
   * Queues dropping what the xDS server holds for a node, after its publications already queued.
   */
  void forget(String nodeId) {
    publisher.execute(() -> xds.forget(nodeId));
  }

  /** How many configs were handed over for publication since start. */
  long publications() {
    return publications.get();
  }

  @Override
  public void close() {
    publisher.shutdownNow();
  }
}
