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
  private final ProxyConfigGenerator generator = new ProxyConfigGenerator();
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "xds-sync");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Map<String, Connection> connected = new ConcurrentHashMap<>(); // by node id
  private final Map<String, String> published = new ConcurrentHashMap<>(); // node id -> content version
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong publications = new AtomicLong();

  public SnapshotSync(ResourceStore store, XdsServer xds, Duration debounce) {
    this.store = store;
    this.xds = xds;
    this.debounce = debounce;
    store.addListener(this);
  }

  @Override
  public void onChange(ResourceChange change) {
    Resource resource = change.resource();
    if (resource.type() == ResourceCatalog.MESH) {
      markDirty(resource.name());
    } else if (resource.type() == ResourceCatalog.DATAPLANE) {
      markDirty(resource.mesh());
    }
  }

  /** A proxy opened its stream: generate its config. */
  public void proxyConnected(String mesh, String nodeId, ProxyKind kind) {
    connected.put(nodeId, new Connection(mesh, kind));
    markDirty(mesh);
  }

  private record Connection(String mesh, ProxyKind kind) {}

  /** A proxy's stream closed: its endpoints (if agent-managed) leave the mesh at once. */
  public void proxyDisconnected(String nodeId) {
    Connection connection = connected.remove(nodeId);
    published.remove(nodeId);
    xds.forget(nodeId);
    if (connection != null) {
      markDirty(connection.mesh());
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
    return Optional.of(generator.generate(snapshot, proxy, connection == null ? ProxyKind.ENVOY : connection.kind()));
  }

  /** How many configs were generated and how many were published (changed) since start. */
  public Stats stats() {
    return new Stats(generations.get(), publications.get());
  }

  /** Counters for tests and metrics. */
  public record Stats(long generations, long publications) {}

  private void markDirty(String mesh) {
    dirty.add(mesh);
    if (scheduled.compareAndSet(false, true)) {
      worker.schedule(this::flush, debounce.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void flush() {
    scheduled.set(false);
    List<String> meshes = new ArrayList<>(dirty);
    dirty.removeAll(meshes);
    for (String mesh : meshes) {
      try {
        sync(mesh);
      } catch (RuntimeException e) {
        LOG.error("xds: regenerating mesh {} failed, proxies keep their last config: {}", mesh, e.toString(), e);
      }
    }
  }

  private void sync(String mesh) {
    MeshSnapshot snapshot = null;
    for (Map.Entry<String, Connection> node : connected.entrySet()) {
      if (!node.getValue().mesh().equals(mesh)) {
        continue;
      }
      if (snapshot == null) {
        snapshot = snapshotOf(mesh);
      }
      String nodeId = node.getKey();
      ProxyModel proxy = snapshot.proxies().get(nodeId.substring(mesh.length() + 1));
      if (proxy == null) {
        continue; // connected, but its Dataplane is not (or no longer) stored
      }
      ProxyConfig config = generator.generate(snapshot, proxy, node.getValue().kind());
      generations.incrementAndGet();
      String version = config.versions().all();
      if (!version.equals(published.get(nodeId))) {
        xds.publish(nodeId, config);
        published.put(nodeId, version);
        publications.incrementAndGet();
        LOG.debug("xds: published config {} to {}", version, nodeId);
      }
    }
  }

  private MeshSnapshot snapshotOf(String mesh) {
    List<ProxyModel> proxies = new ArrayList<>();
    Set<String> offline = new HashSet<>();
    for (Resource dataplane : store.list(ResourceCatalog.DATAPLANE, ListQuery.all(Optional.of(mesh))).items()) {
      proxies.add(ProxyModels.fromDataplane(dataplane));
      boolean direct = DIRECT.equals(dataplane.meta().labels().get(LIFECYCLE_LABEL));
      if (direct && !connected.containsKey(mesh + "." + dataplane.name())) {
        offline.add(dataplane.name());
      }
    }
    return MeshSnapshot.of(mesh, proxies, offline);
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
