package io.kodiak.xds.sync;

import io.kodiak.xds.generate.ProxyConfig;
import io.kodiak.xds.generate.ProxyConfigGenerator;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyIdentity;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.sync.ConnectedProxies.Connection;
import io.kodiak.xds.sync.ConnectedProxies.LastConfig;
import io.kodiak.xds.sync.SnapshotSync.Admission;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One flush: for each changed mesh with a connected proxy, builds the mesh's snapshot once, then
 * for each connected proxy the change can affect checks its admission, skips it if its inputs are
 * unchanged, generates it otherwise and hands its config to publication if the config's version
 * changed.
 *
 * <p>Thread-safety: {@link #flush} runs only on the worker thread, one at a time; the counters are
 * atomics read from any thread; the admission is volatile (set at wiring, read per proxy); {@link
 * #generate} also serves inspect threads (the generator is pure, identities thread-safe).
 */
final class Regeneration {
  /** Logged under the façade's name, as before the split. */
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotSync.class);

  /** A flush at least this long is logged with where its time went (one line). */
  private static final long SLOW_FLUSH_MS = 500;

  private final MeshSnapshots snapshots;
  private final ConnectedProxies proxies;
  private final PolicyEpochs epochs;
  private final Publication publication;
  private final ProxyConfigGenerator generator;
  private final IdentitySource identities;
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private volatile Admission admission = Admission.ANYONE;

  Regeneration(
      MeshSnapshots snapshots,
      ConnectedProxies proxies,
      PolicyEpochs epochs,
      Publication publication,
      ProxyConfigGenerator generator,
      IdentitySource identities) {
    this.snapshots = snapshots;
    this.proxies = proxies;
    this.epochs = epochs;
    this.publication = publication;
    this.generator = generator;
    this.identities = identities;
  }

  void admitOnly(Admission admission) {
    this.admission = admission;
  }

  /** Worker only. A mesh that fails is logged; its proxies keep their last config. */
  void flush(Map<String, MeshChange> batch) {
    for (Map.Entry<String, MeshChange> mesh : batch.entrySet()) {
      try {
        sync(mesh.getKey(), mesh.getValue());
      } catch (RuntimeException e) {
        LOG.error(
            "xds: regenerating mesh {} failed, proxies keep their last config: {}",
            mesh.getKey(),
            e.toString(),
            e);
      }
    }
  }

  private void sync(String mesh, MeshChange changed) {
    long started = System.nanoTime();
    long generating = 0;
    int generated = 0;
    int unchanged = 0;
    int withoutIdentity = 0;
    int failed = 0;
    String firstFailure = null;
    int sent = 0;
    MeshSnapshot snapshot = null;
    long epoch = 0;
    for (Connection node : proxies.all()) {
      if (!node.mesh().equals(mesh)) {
        continue;
      }
      if (snapshot == null) {
        epoch =
            epochs.current(mesh); // read before listing: a later write moves it past this snapshot
        snapshot = snapshots.build(mesh);
      }
      String nodeId = node.nodeId();
      ProxyModel proxy = snapshot.proxies().get(ConnectedProxies.dataplaneName(mesh, nodeId));
      Optional<LastConfig> before = proxies.lastConfig(nodeId);
      Set<String> reachedBefore = before.map(LastConfig::reached).orElse(Set.of());
      if (proxy == null || !changed.affects(proxy, reachedBefore)) {
        continue; // not stored (yet or any more), or untouched by this change
      }
      if (!admission.admits(nodeId, proxy)) {
        // its credentials do not allow what its Dataplane now says: nothing, not even a certificate
        continue;
      }
      ProxyKind kind = node.kind();
      Optional<ProxyIdentity> identity;
      try {
        identity = identityOf(snapshot, proxy);
      } catch (RuntimeException e) {
        identity = Optional.empty(); // a CA that cannot issue: as if none, below
        LOG.debug("xds: issuing a certificate to proxy {} failed", nodeId, e);
      }
      if (identity.isEmpty() && snapshot.mtls().isPresent() && kind == ProxyKind.ENVOY) {
        // fail closed: never plaintext in a mesh with mTLS on; the proxy keeps its last config
        withoutIdentity++;
        continue;
      }
      ProxyInputs inputs = ProxyInputs.of(snapshot, proxy, kind, epoch, identity, reachedBefore);
      if (before.isPresent() && before.get().inputs().sameAs(inputs)) {
        skipped.incrementAndGet();
        unchanged++;
        continue;
      }
      long t0 = System.nanoTime();
      ProxyConfig config;
      try {
        config = generator.generate(snapshot, proxy, kind, identity);
      } catch (RuntimeException e) {
        // one proxy's failure (a policy no plugin expected, say) holds back no other proxy
        if (failed++ == 0) {
          firstFailure = nodeId + ": " + e;
          LOG.debug("xds: generating the config of proxy {} failed", nodeId, e);
        }
        continue;
      }
      generating += System.nanoTime() - t0;
      generated++;
      generations.incrementAndGet();
      if (!config.services().equals(reachedBefore)) {
        inputs = ProxyInputs.of(snapshot, proxy, kind, epoch, identity, config.services());
      }
      String version = config.versions().all();
      proxies.recordLastConfig(nodeId, new LastConfig(version, config.services(), inputs));
      if (before.isEmpty() || !version.equals(before.get().version())) {
        sent++;
        publication.publish(nodeId, config, changed.since());
        LOG.debug("xds: published config {} to {}", version, nodeId);
      }
    }
    if (failed > 0) {
      LOG.error(
          "xds: generating the config of {} proxies of mesh {} failed, they keep their last config (first: {})",
          failed,
          mesh,
          firstFailure);
    }
    if (withoutIdentity > 0) {
      LOG.warn(
          "xds: mesh {} has mTLS on but no workload certificate could be issued (its CA is missing or "
              + "unusable): {} proxies keep their last config and no new proxy is served until it can be;"
              + " a missing builtin CA is created when the Mesh is written, a damaged one must be restored",
          mesh,
          withoutIdentity);
    }
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    if (tookMs >= SLOW_FLUSH_MS) {
      LOG.info(
          "xds: mesh {} took {} ms to sync: {} proxies generated ({} ms), {} unchanged, {} handed to publication",
          mesh,
          tookMs,
          generated,
          generating / 1_000_000,
          unchanged,
          sent);
    }
  }

  /**
   * What a proxy of this kind gets from this snapshot now, for inspection; any thread. Issues no
   * certificate ({@link IdentitySource#preview}).
   */
  ProxyConfig generate(MeshSnapshot snapshot, ProxyModel proxy, ProxyKind kind) {
    return generator.generate(
        snapshot, proxy, kind, snapshot.mtls().flatMap(mtls -> identities.preview(mtls, proxy)));
  }

  private Optional<ProxyIdentity> identityOf(MeshSnapshot snapshot, ProxyModel proxy) {
    return snapshot.mtls().flatMap(mtls -> identities.identity(mtls, proxy));
  }

  long generations() {
    return generations.get();
  }

  /** Proxies a change touched whose inputs were unchanged (not generated). */
  long unchanged() {
    return skipped.get();
  }
}
