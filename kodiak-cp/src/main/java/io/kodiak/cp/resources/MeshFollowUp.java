package io.kodiak.cp.resources;

import io.kodiak.cp.leader.SingletonTask;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ChangeListener;
import io.kodiak.store.api.ResourceChange;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a Mesh written by someone else (kubectl, in Kubernetes mode) what a write through {@link
 * ResourceManager#put} gives it: its builtin CA and, when new, Kuma's initial policies. Store
 * listeners may not write, so the work runs on its own thread, one mesh at a time; both steps
 * create only what is missing, so a Mesh written through the manager is left as it is. Singleton
 * work: it follows changes only between {@link #start} and the stop it returns (while this replica
 * leads); a Mesh created while no replica led gets its CA when the next one starts, not its initial
 * policies. Thread-safe.
 */
public final class MeshFollowUp implements ChangeListener, SingletonTask, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MeshFollowUp.class);

  private final ResourceManager manager;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "mesh-follow-up");
            thread.setDaemon(true);
            return thread;
          });

  private volatile boolean following;

  public MeshFollowUp(ResourceManager manager) {
    this.manager = manager;
  }

  /** Follows Mesh changes from now on, until the returned stop. */
  @Override
  public Stop start() {
    following = true;
    return () -> following = false;
  }

  @Override
  public void onChange(ResourceChange change) {
    Resource mesh = change.resource();
    if (!following || mesh.type() != ResourceCatalog.MESH || change.kind() == ChangeKind.DELETED) {
      return;
    }
    worker.execute(
        () -> {
          if (!following) {
            return; // leadership ended while it waited
          }
          try {
            if (change.kind() == ChangeKind.CREATED) {
              manager.createBesideNewMesh(mesh);
            } else {
              manager.createMissingCa(mesh);
            }
          } catch (RuntimeException e) {
            LOG.error(
                "could not create the CA or initial policies of mesh {}: {}; they are retried at"
                    + " the next change of the Mesh or restart",
                mesh.name(),
                e.toString());
          }
        });
  }

  @Override
  public void close() {
    worker.shutdown();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
