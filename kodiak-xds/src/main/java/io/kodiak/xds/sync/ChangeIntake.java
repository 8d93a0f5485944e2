package io.kodiak.xds.sync;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ResourceChange;
import java.util.Optional;
import java.util.Set;

/**
 * Turns what happens into what to regenerate: a store change, a proxy connecting or leaving, or a
 * refresh request marks its mesh in {@link DirtyMeshes} with the proxies and services it can
 * affect. On the way it moves the mesh's policy epoch, keeps each Dataplane's inbound services
 * current and drops a changed Dataplane's cached model.
 *
 * <p>Thread-safe and stateless itself: called on the store's change threads, gRPC stream threads
 * and the mTLS timers; what it touches is thread-safe (each says how).
 */
final class ChangeIntake {
  private final DirtyMeshes dirty;
  private final PolicyEpochs epochs;
  private final InboundServices services;
  private final MeshSnapshots snapshots;

  ChangeIntake(
      DirtyMeshes dirty, PolicyEpochs epochs, InboundServices services, MeshSnapshots snapshots) {
    this.dirty = dirty;
    this.epochs = epochs;
    this.services = services;
    this.snapshots = snapshots;
  }

  void onChange(ResourceChange change) {
    Resource resource = change.resource();
    if (resource.type() == ResourceCatalog.MESH) {
      epochs.advance(resource.name());
      dirty.mark(resource.name(), MeshChange::everything);
    } else if (resource.type().isPolicy()) {
      epochs.advance(resource.mesh());
      dirty.mark(resource.mesh(), MeshChange::everything); // a policy can touch every proxy
    } else if (resource.type() == ResourceCatalog.SECRET) {
      // CA material: it reaches configs only through the mTLS state and certificates, which are
      // inputs
      dirty.mark(resource.mesh(), MeshChange::everything);
    } else if (resource.type() == ResourceCatalog.DATAPLANE) {
      dataplaneChanged(change.kind(), resource);
    }
  }

  private void dataplaneChanged(ChangeKind kind, Resource dataplane) {
    String mesh = dataplane.mesh();
    String name = dataplane.name();
    snapshots.forgetModel(mesh, name);
    Optional<Set<String>> before = services.of(mesh, name);
    Set<String> after = InboundServices.of(dataplane);
    if (kind == ChangeKind.DELETED) {
      services.remove(mesh, name);
    } else {
      services.put(mesh, name, after);
    }
    dirty.mark(
        mesh,
        d -> {
          d.proxy(name);
          d.services(after);
          if (before.isEmpty() && kind != ChangeKind.CREATED) {
            d.everything(); // the old services are unknown (first change seen since start): be safe
          } else {
            before.ifPresent(d::services);
          }
        });
  }

  /** A proxy connected or left: it and the callers of its services (all, if they are unknown). */
  void proxyChanged(String mesh, String nodeId) {
    String name = ConnectedProxies.dataplaneName(mesh, nodeId);
    Optional<Set<String>> offered = services.of(mesh, name);
    dirty.mark(
        mesh,
        d -> {
          d.proxy(name);
          if (offered.isEmpty()) {
            d.everything();
          } else {
            d.services(offered.get());
          }
        });
  }

  void refreshMesh(String mesh) {
    dirty.mark(mesh, MeshChange::everything);
  }

  void refresh(String mesh, Set<String> proxies) {
    dirty.mark(mesh, d -> d.proxies(proxies));
  }
}
