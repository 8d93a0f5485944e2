package io.kodiak.xds.sync;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.store.api.ChangeListener;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceChange;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.xds.generate.ProxyConfig;
import io.kodiak.xds.generate.ProxyConfigGenerator;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyIdentity;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.proxy.ProxyModels;
import io.kodiak.xds.server.XdsServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every connected proxy's xDS snapshot in step with the store. A change marks its mesh
 * dirty; after a short debounce one worker thread rebuilds that mesh's snapshot once and
 * regenerates its connected proxies, publishing only configs whose content changed. Nothing runs
 * while nothing changes: there is no timer per proxy or per mesh. Thread-safe.
 */
public final class SnapshotSync implements ChangeListener, AutoCloseable {
  /** Label on Dataplanes an agent registered itself; their endpoints count only while connected. */
  public static final String LIFECYCLE_LABEL = "kodiak.io/lifecycle";
  public static final String DIRECT = "direct";
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotSync.class);

  private final ResourceStore store;
  private final XdsServer xds;
  private final Duration debounce;
  private final ProxyConfigGenerator generator;
  private final IdentitySource identities;
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "xds-sync");
    t.setDaemon(true);
    return t;
  });
  /**
   * Hands configs to the xDS server (diff, serialization and the gRPC writes of every waiting
   * stream) while the worker generates the next proxies: on 2 cores the two halves overlap. One
   * thread, so each node's publications and its final forget stay in order.
   */
  private final java.util.concurrent.ExecutorService publisher = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "xds-publish");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Dirty> dirty = new java.util.HashMap<>(); // by mesh; guarded by itself
  private final Map<String, Set<String>> servicesOf = new ConcurrentHashMap<>(); // "mesh/name" -> inbound services
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Map<String, Connection> connected = new ConcurrentHashMap<>(); // by node id
  /** What each connected proxy was last given, by node id; written only on the worker. */
  private final Map<String, LastConfig> last = new ConcurrentHashMap<>();
  /** Each Dataplane's model, so a mesh snapshot parses only the Dataplanes that changed ("mesh/name"). */
  private final Map<String, CachedModel> models = new ConcurrentHashMap<>();
  /** Moves on every policy or Mesh write of a mesh: part of every proxy's inputs. */
  private final Map<String, AtomicLong> policyEpochs = new ConcurrentHashMap<>();
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong publications = new AtomicLong();

  public SnapshotSync(ResourceStore store, XdsServer xds, Duration debounce) {
    this(store, xds, debounce, new ProxyConfigGenerator(), IdentitySource.NONE);
  }

  public SnapshotSync(ResourceStore store, XdsServer xds, Duration debounce, ProxyConfigGenerator generator,
      IdentitySource identities) {
    this.store = store;
    this.xds = xds;
    this.debounce = debounce;
    this.generator = generator;
    this.identities = identities;
    store.addListener(this);
  }

  /** Told when a proxy is sent a new config, with when the change that caused it arrived. */
  public interface PublishListener {
    void published(String nodeId, long changedAtNanos);

    PublishListener NONE = (nodeId, changedAtNanos) -> { };
  }

  private volatile PublishListener publishListener = PublishListener.NONE;

  /** Where to report publications (metrics); one listener. */
  public void onPublished(PublishListener listener) {
    this.publishListener = listener;
  }

  /** Whether a connected proxy may be what its Dataplane now says (its credentials allow it). */
  @FunctionalInterface
  public interface Admission {
    boolean admits(String nodeId, ProxyModel proxy);

    Admission ANYONE = (nodeId, proxy) -> true;
  }

  private volatile Admission admission = Admission.ANYONE;

  /**
   * Proxies this refuses get no config and no certificate for what their Dataplane says (whoever
   * decided so closes their streams); checked before each generation, so no race with a change.
   */
  public void admitOnly(Admission admission) {
    this.admission = admission;
  }

  /** Regenerates every proxy of a mesh (an mTLS phase changed, say). */
  public void refreshMesh(String mesh) {
    markDirty(mesh, Dirty::everything);
  }

  /** Regenerates the named proxies of a mesh now (their certificate is due for renewal, say). */
  public void refresh(String mesh, Set<String> proxies) {
    markDirty(mesh, d -> d.proxies.addAll(proxies));
  }

  @Override
  public void onChange(ResourceChange change) {
    Resource resource = change.resource();
    if (resource.type() == ResourceCatalog.MESH) {
      policyEpoch(resource.name()).incrementAndGet();
      markDirty(resource.name(), Dirty::everything);
    } else if (resource.type().isPolicy()) {
      policyEpoch(resource.mesh()).incrementAndGet();
      markDirty(resource.mesh(), Dirty::everything); // a policy can touch every proxy
    } else if (resource.type() == ResourceCatalog.SECRET) {
      // CA material: it reaches configs only through the mTLS state and certificates, which are inputs
      markDirty(resource.mesh(), Dirty::everything);
    } else if (resource.type() == ResourceCatalog.DATAPLANE) {
      String key = resource.mesh() + "/" + resource.name();
      models.remove(key);
      Set<String> before = servicesOf.get(key);
      Set<String> after = inboundServices(resource);
      if (change.kind() == io.kodiak.store.api.ChangeKind.DELETED) {
        servicesOf.remove(key);
      } else {
        servicesOf.put(key, after);
      }
      markDirty(resource.mesh(), d -> {
        d.proxies.add(resource.name());
        d.services.addAll(after);
        if (before == null && change.kind() != io.kodiak.store.api.ChangeKind.CREATED) {
          d.everything(); // the old services are unknown (first change seen since start): be safe
        } else if (before != null) {
          d.services.addAll(before);
        }
      });
    }
  }

  /** A proxy opened its stream: generate its config; its endpoints may now count. */
  public void proxyConnected(String mesh, String nodeId, ProxyKind kind) {
    connected.put(nodeId, new Connection(mesh, kind));
    proxyChanged(mesh, nodeId);
  }

  private void proxyChanged(String mesh, String nodeId) {
    String name = nodeId.substring(mesh.length() + 1);
    Set<String> services = servicesOf.get(mesh + "/" + name);
    markDirty(mesh, d -> {
      d.proxies.add(name);
      if (services == null) {
        d.everything();
      } else {
        d.services.addAll(services);
      }
    });
  }

  /** What changed in one mesh since the last flush: which proxies to regenerate. */
  private static final class Dirty {
    private final long since = System.nanoTime(); // when the first change of this batch arrived
    private boolean all;
    private final Set<String> services = new HashSet<>();
    private final Set<String> proxies = new HashSet<>();

    void everything() {
      all = true;
    }

    /**
     * A proxy is affected if it changed itself or reaches a service whose instances changed: one
     * it declares, or one its routes send to (recorded from its last config).
     */
    boolean affects(ProxyModel proxy, Set<String> reached) {
      return all || proxies.contains(proxy.name())
          || proxy.outbounds().stream().anyMatch(o -> services.contains(o.service()))
          || reached.stream().anyMatch(services::contains);
    }
  }

  private static Set<String> inboundServices(Resource dataplane) {
    Set<String> services = new HashSet<>();
    dataplane.spec().path("networking").path("inbound")
        .forEach(in -> services.add(in.path("tags").path("kuma.io/service").asText()));
    return services;
  }

  private record Connection(String mesh, ProxyKind kind) {}

  private record CachedModel(long version, ProxyModel model) {}

  /**
   * A proxy's last config: its content version (unchanged ones are not published again), the
   * services its clusters reach (a change of their instances finds it) and what it was made
   * from (equal inputs are not generated again).
   */
  private record LastConfig(String version, Set<String> reached, ProxyInputs inputs) {}

  private AtomicLong policyEpoch(String mesh) {
    return policyEpochs.computeIfAbsent(mesh, m -> new AtomicLong());
  }

  private ProxyModel modelOf(Resource dataplane) {
    String key = dataplane.mesh() + "/" + dataplane.name();
    CachedModel cached = models.get(key);
    if (cached == null || cached.version() != dataplane.meta().version()) {
      cached = new CachedModel(dataplane.meta().version(), ProxyModels.fromDataplane(dataplane));
      models.put(key, cached);
    }
    return cached.model();
  }

  /** A proxy's stream closed: its endpoints (if agent-managed) leave the mesh at once. */
  public void proxyDisconnected(String nodeId) {
    Connection connection = connected.remove(nodeId);
    // On the worker, between generations: a generation of this node in flight would otherwise
    // record what it published after we forgot it, and a quick reconnect would be skipped as
    // "unchanged" while the xDS cache holds nothing for it. A reconnect's flush comes after this.
    try {
      worker.execute(() -> {
        last.remove(nodeId);
        publisher.execute(() -> xds.forget(nodeId));
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return; // closing
    }
    if (connection != null) {
      proxyChanged(connection.mesh(), nodeId);
    }
  }

  public boolean isConnected(String nodeId) {
    return connected.containsKey(nodeId);
  }

  /** Generates, without publishing, what a proxy gets now; for the inspect API. */
  public Optional<ProxyConfig> preview(String mesh, String name) {
    MeshSnapshot snapshot = snapshotOf(mesh);
    ProxyModel proxy = snapshot.proxies().get(name);
    if (proxy == null) {
      return Optional.empty();
    }
    Connection connection = connected.get(mesh + "." + name);
    return Optional.of(generate(snapshot, proxy, connection == null ? ProxyKind.ENVOY : connection.kind()));
  }

  /** The mesh as the generators see it now (proxies, endpoints, mTLS, policies); for the inspect API. */
  public MeshSnapshot snapshot(String mesh) {
    return snapshotOf(mesh);
  }

  /**
   * How many configs were generated, how many were published (changed), and how many proxies a
   * change touched whose inputs were unchanged (not generated), since start.
   */
  public Stats stats() {
    return new Stats(generations.get(), publications.get(), skipped.get());
  }

  /** Counters for tests and metrics. */
  public record Stats(long generations, long publications, long unchanged) {}

  private void markDirty(String mesh, java.util.function.Consumer<Dirty> what) {
    synchronized (dirty) {
      what.accept(dirty.computeIfAbsent(mesh, m -> new Dirty()));
    }
    if (scheduled.compareAndSet(false, true)) {
      worker.schedule(this::flush, debounce.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void flush() {
    scheduled.set(false);
    Map<String, Dirty> batch;
    synchronized (dirty) {
      batch = new java.util.HashMap<>(dirty);
      dirty.clear();
    }
    for (Map.Entry<String, Dirty> mesh : batch.entrySet()) {
      try {
        sync(mesh.getKey(), mesh.getValue());
      } catch (RuntimeException e) {
        LOG.error("xds: regenerating mesh {} failed, proxies keep their last config: {}", mesh.getKey(), e.toString(), e);
      }
    }
  }

  private void sync(String mesh, Dirty changed) {
    long started = System.nanoTime();
    long generating = 0;
    int generated = 0;
    int unchanged = 0;
    int sent = 0;
    MeshSnapshot snapshot = null;
    long epoch = 0;
    for (Map.Entry<String, Connection> node : connected.entrySet()) {
      if (!node.getValue().mesh().equals(mesh)) {
        continue;
      }
      if (snapshot == null) {
        epoch = policyEpoch(mesh).get(); // read before listing: a later write moves it past this snapshot
        snapshot = snapshotOf(mesh);
      }
      String nodeId = node.getKey();
      ProxyModel proxy = snapshot.proxies().get(nodeId.substring(mesh.length() + 1));
      LastConfig before = last.get(nodeId);
      Set<String> reachedBefore = before == null ? Set.of() : before.reached();
      if (proxy == null || !changed.affects(proxy, reachedBefore)) {
        continue; // not stored (yet or any more), or untouched by this change
      }
      if (!admission.admits(nodeId, proxy)) {
        continue; // its credentials do not allow what its Dataplane now says: nothing, not even a certificate
      }
      ProxyKind kind = node.getValue().kind();
      Optional<ProxyIdentity> identity = identityOf(snapshot, proxy);
      ProxyInputs inputs = ProxyInputs.of(snapshot, proxy, kind, epoch, identity, reachedBefore);
      if (before != null && before.inputs().sameAs(inputs)) {
        skipped.incrementAndGet();
        unchanged++;
        continue;
      }
      long t0 = System.nanoTime();
      ProxyConfig config = generator.generate(snapshot, proxy, kind, identity);
      generating += System.nanoTime() - t0;
      generated++;
      generations.incrementAndGet();
      if (!config.services().equals(reachedBefore)) {
        inputs = ProxyInputs.of(snapshot, proxy, kind, epoch, identity, config.services());
      }
      String version = config.versions().all();
      last.put(nodeId, new LastConfig(version, config.services(), inputs));
      if (before == null || !version.equals(before.version())) {
        sent++;
        long since = changed.since;
        publisher.execute(() -> {
          publishListener.published(nodeId, since); // first: the proxy may ACK before publish returns
          xds.publish(nodeId, config);
        });
        publications.incrementAndGet();
        LOG.debug("xds: published config {} to {}", version, nodeId);
      }
    }
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    if (tookMs >= SLOW_FLUSH_MS) {
      LOG.info("xds: mesh {} took {} ms to sync: {} proxies generated ({} ms), {} unchanged, {} handed to publication",
          mesh, tookMs, generated, generating / 1_000_000, unchanged, sent);
    }
  }

  /** A flush at least this long is logged with where its time went (one line). */
  private static final long SLOW_FLUSH_MS = 500;

  private ProxyConfig generate(MeshSnapshot snapshot, ProxyModel proxy, ProxyKind kind) {
    return generator.generate(snapshot, proxy, kind, identityOf(snapshot, proxy));
  }

  private Optional<ProxyIdentity> identityOf(MeshSnapshot snapshot, ProxyModel proxy) {
    return snapshot.mtls().flatMap(mtls -> identities.identity(mtls, proxy));
  }

  private MeshSnapshot snapshotOf(String mesh) {
    List<ProxyModel> proxies = new ArrayList<>();
    Set<String> offline = new HashSet<>();
    for (Resource dataplane : store.list(ResourceCatalog.DATAPLANE, ListQuery.all(Optional.of(mesh))).items()) {
      proxies.add(modelOf(dataplane));
      servicesOf.putIfAbsent(mesh + "/" + dataplane.name(), inboundServices(dataplane));
      boolean direct = DIRECT.equals(dataplane.meta().labels().get(LIFECYCLE_LABEL));
      if (direct && !connected.containsKey(mesh + "." + dataplane.name())) {
        offline.add(dataplane.name());
      }
    }
    Map<String, List<Resource>> policies = new java.util.HashMap<>();
    for (var type : ResourceCatalog.all()) {
      if (type.isPolicy()) {
        List<Resource> items = store.list(type, ListQuery.all(Optional.of(mesh))).items();
        if (!items.isEmpty()) {
          policies.put(type.name(), items);
        }
      }
    }
    return MeshSnapshot.of(mesh, proxies, offline).withPolicies(identities.mtls(mesh), policies);
  }

  @Override
  public void close() {
    worker.shutdownNow();
    publisher.shutdownNow();
  }
}
