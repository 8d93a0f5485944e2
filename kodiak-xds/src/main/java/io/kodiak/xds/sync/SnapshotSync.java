package io.kodiak.xds.sync;

import io.kodiak.store.api.ChangeListener;
import io.kodiak.store.api.ResourceChange;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.xds.generate.ProxyConfig;
import io.kodiak.xds.generate.ProxyConfigGenerator;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.server.XdsServer;
import io.kodiak.xds.sync.ConnectedProxies.Connection;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Keeps every connected proxy's xDS snapshot in step with the store. A change marks its mesh dirty;
 * after a short debounce one worker thread rebuilds that mesh's snapshot once and regenerates its
 * connected proxies, publishing only configs whose content changed. Nothing runs while nothing
 * changes: there is no timer per proxy or per mesh. Thread-safe.
 *
 * <p>A façade over its parts, each stating its own thread-safety: {@link ChangeIntake} turns
 * changes into marks in {@link DirtyMeshes} (the batch and the debounce), which flushes on the
 * worker thread ({@code xds-sync}) into {@link Regeneration}; that builds snapshots with {@link
 * MeshSnapshots}, finds proxies in {@link ConnectedProxies} and hands configs to {@link
 * Publication} ({@code xds-publish}).
 */
public final class SnapshotSync implements ChangeListener, AutoCloseable {
  /** Label on Dataplanes an agent registered itself; their endpoints count only while connected. */
  public static final String LIFECYCLE_LABEL = "kodiak.io/lifecycle";

  public static final String DIRECT = "direct";

  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "xds-sync");
            t.setDaemon(true);
            return t;
          });
  private final ConnectedProxies proxies = new ConnectedProxies();
  private final DirtyMeshes dirty;
  private final ChangeIntake intake;
  private final MeshSnapshots snapshots;
  private final IdentitySource identities;
  private final Publication publication;
  private final Regeneration regeneration;

  public SnapshotSync(ResourceStore store, XdsServer xds, Duration debounce) {
    this(store, xds, debounce, new ProxyConfigGenerator(), IdentitySource.NONE);
  }

  public SnapshotSync(
      ResourceStore store,
      XdsServer xds,
      Duration debounce,
      ProxyConfigGenerator generator,
      IdentitySource identities) {
    PolicyEpochs epochs = new PolicyEpochs();
    InboundServices services = new InboundServices();
    this.dirty = new DirtyMeshes(worker, debounce, this::flush);
    this.identities = identities;
    this.snapshots = new MeshSnapshots(store, identities, proxies, services);
    this.intake = new ChangeIntake(dirty, epochs, services, snapshots);
    this.publication = new Publication(xds);
    this.regeneration =
        new Regeneration(snapshots, proxies, epochs, publication, generator, identities);
    store.addListener(this);
  }

  /** Told when a proxy is sent a new config, with when the change that caused it arrived. */
  public interface PublishListener {
    void published(String nodeId, long changedAtNanos);

    PublishListener NONE = (nodeId, changedAtNanos) -> {};
  }

  /** Where to report publications (metrics); one listener. */
  public void onPublished(PublishListener listener) {
    publication.onPublished(listener);
  }

  /** Whether a connected proxy may be what its Dataplane now says (its credentials allow it). */
  @FunctionalInterface
  public interface Admission {
    boolean admits(String nodeId, ProxyModel proxy);

    Admission ANYONE = (nodeId, proxy) -> true;
  }

  /**
   * Proxies this refuses get no config and no certificate for what their Dataplane says (whoever
   * decided so closes their streams); checked before each generation, so no race with a change.
   */
  public void admitOnly(Admission admission) {
    regeneration.admitOnly(admission);
  }

  /** Regenerates every proxy of a mesh (an mTLS phase changed, say). */
  public void refreshMesh(String mesh) {
    intake.refreshMesh(mesh);
  }

  /** Regenerates the named proxies of a mesh now (their certificate is due for renewal, say). */
  public void refresh(String mesh, Set<String> proxies) {
    intake.refresh(mesh, proxies);
  }

  @Override
  public void onChange(ResourceChange change) {
    intake.onChange(change);
  }

  /** A proxy opened its stream: generate its config; its endpoints may now count. */
  public void proxyConnected(String mesh, String nodeId, ProxyKind kind) {
    proxies.connect(mesh, nodeId, kind);
    intake.proxyChanged(mesh, nodeId);
  }

  /** A proxy's stream closed: its endpoints (if agent-managed) leave the mesh at once. */
  public void proxyDisconnected(String nodeId) {
    Optional<Connection> connection = proxies.disconnect(nodeId);
    // On the worker, between generations: a generation of this node in flight would otherwise
    // record what it published after we forgot it, and a quick reconnect would be skipped as
    // "unchanged" while the xDS cache holds nothing for it. A reconnect's flush comes after this.
    try {
      worker.execute(
          () -> {
            proxies.forgetLastConfig(nodeId);
            publication.forget(nodeId);
            identities.forget(nodeId); // after any generation of it: none issues one again
          });
    } catch (RejectedExecutionException e) {
      return; // closing
    }
    connection.ifPresent(c -> intake.proxyChanged(c.mesh(), nodeId));
  }

  public boolean isConnected(String nodeId) {
    return proxies.isConnected(nodeId);
  }

  /** Generates, without publishing, what a proxy gets now; for the inspect API. */
  public Optional<ProxyConfig> preview(String mesh, String name) {
    MeshSnapshot snapshot = snapshots.build(mesh);
    ProxyModel proxy = snapshot.proxies().get(name);
    if (proxy == null) {
      return Optional.empty();
    }
    ProxyKind kind = proxies.kindOf(ConnectedProxies.nodeId(mesh, name)).orElse(ProxyKind.ENVOY);
    return Optional.of(regeneration.generate(snapshot, proxy, kind));
  }

  /**
   * The mesh as the generators see it now (proxies, endpoints, mTLS, policies); for the inspect
   * API.
   */
  public MeshSnapshot snapshot(String mesh) {
    return snapshots.build(mesh);
  }

  /**
   * How many configs were generated, how many were published (changed), and how many proxies a
   * change touched whose inputs were unchanged (not generated), since start.
   */
  public Stats stats() {
    return new Stats(
        regeneration.generations(), publication.publications(), regeneration.unchanged());
  }

  /** Counters for tests and metrics. */
  public record Stats(long generations, long publications, long unchanged) {}

  /** On the worker, a debounce after the first change since the last flush. */
  private void flush() {
    regeneration.flush(dirty.take());
  }

  @Override
  public void close() {
    worker.shutdownNow();
    publication.close();
  }
}
