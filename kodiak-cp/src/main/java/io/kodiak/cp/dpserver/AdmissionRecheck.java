package io.kodiak.cp.dpserver;

import io.kodiak.cp.tokens.DataplaneTokens;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ChangeListener;
import io.kodiak.store.api.ResourceChange;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.xds.server.NodeInfo;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission is not only checked at connect: when a mesh's token signing key or revocation list
 * changes, every connected proxy of that mesh is checked again, and when a connected proxy's
 * Dataplane is changed (through the API, say), that proxy is; a proxy its token no longer admits
 * has its stream closed at once. A revoked token cannot reconnect; an agent whose Dataplane was
 * changed reconnects with the one it declared. Generation asks the same question before each
 * proxy's config ({@link DataplaneLifecycle#admits}), so no race with a change hands out config or
 * a certificate in between. A mesh-wide check runs on a thread of its own; one proxy's, on the
 * writer's. Thread-safe.
 */
public final class AdmissionRecheck implements ChangeListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionRecheck.class);

  /** Ends a stream from the server side. */
  @FunctionalInterface
  public interface StreamCloser {
    boolean close(long streamId, String reason);
  }

  private final DataplaneLifecycle lifecycle;
  private final ResourceStore store;
  private final StreamCloser closer;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "dp-admission-recheck");
            t.setDaemon(true);
            return t;
          });

  public AdmissionRecheck(DataplaneLifecycle lifecycle, ResourceStore store, StreamCloser closer) {
    this.lifecycle = lifecycle;
    this.store = store;
    this.closer = closer;
  }

  @Override
  public void onChange(ResourceChange change) {
    if (!lifecycle.requiresTokens()) {
      return;
    }
    Resource changed = change.resource();
    if (DataplaneTokens.decidesValidity(changed)) {
      worker.execute(
          () ->
              lifecycle
                  .connectedStreams()
                  .forEach(
                      (streamId, node) -> {
                        if (node.mesh().equals(changed.mesh())) {
                          store
                              .get(
                                  ResourceKey.of(
                                      ResourceCatalog.DATAPLANE, node.mesh(), node.name()))
                              .ifPresent(dataplane -> recheck(streamId, node, dataplane));
                        }
                      }));
    } else if (changed.type() == ResourceCatalog.DATAPLANE && change.kind() != ChangeKind.DELETED) {
      // at once, on the writer's thread (one signature check); generation refuses it config
      // meanwhile
      lifecycle
          .connection(changed.mesh(), changed.name())
          .ifPresent(connection -> recheck(connection.getKey(), connection.getValue(), changed));
    }
  }

  private void recheck(long streamId, NodeInfo node, Resource dataplane) {
    try {
      Optional<String> refused =
          lifecycle.authenticate(
              node.metadata().getOrDefault(DataplaneLifecycle.TOKEN_METADATA, ""), dataplane);
      if (refused.isPresent() && closer.close(streamId, refused.get())) {
        LOG.warn(
            "xds: closed the stream of proxy {} (stream {}): its token no longer admits it: {}",
            node.id(),
            streamId,
            refused.get());
      }
    } catch (RuntimeException e) {
      LOG.error(
          "xds: could not check again whether proxy {} is admitted: {}", node.id(), e.toString());
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
