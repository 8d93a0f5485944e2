package io.kodiak.xds.sync;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.proxy.ProxyModels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds a mesh's {@link MeshSnapshot} from the store: its Dataplanes' models, which of the
 * agent-managed ones are offline (not connected), its mTLS state and its policies. Each Dataplane's
 * model is cached by its version, so a snapshot parses only the Dataplanes that changed, and the
 * sync can compare models by identity.
 *
 * <p>Thread-safe: snapshots are built on the worker and on inspect threads at once; the cache is a
 * concurrent map. Two threads parsing one Dataplane version at once both cache their model, the
 * later wins; that costs the sync one needless generation, never a wrong config. Change intake
 * drops a changed Dataplane's model (one deleted and created again starts at version 1 again).
 */
final class MeshSnapshots {
  private final ResourceStore store;
  private final IdentitySource identities;
  private final ConnectedProxies proxies;
  private final InboundServices services;
  private final Map<String, CachedModel> models = new ConcurrentHashMap<>(); // by "mesh/name"

  private record CachedModel(long version, ProxyModel model) {}

  MeshSnapshots(
      ResourceStore store,
      IdentitySource identities,
      ConnectedProxies proxies,
      InboundServices services) {
    this.store = store;
    this.identities = identities;
    this.proxies = proxies;
    this.services = services;
  }

  /** The mesh as the store holds it now. */
  MeshSnapshot build(String mesh) {
    List<ProxyModel> proxyModels = new ArrayList<>();
    Set<String> offline = new HashSet<>();
    for (Resource dataplane :
        store.list(ResourceCatalog.DATAPLANE, ListQuery.all(Optional.of(mesh))).items()) {
      proxyModels.add(modelOf(dataplane));
      services.rememberIfAbsent(dataplane);
      boolean direct =
          SnapshotSync.DIRECT.equals(dataplane.meta().labels().get(SnapshotSync.LIFECYCLE_LABEL));
      if (direct && !proxies.isConnected(ConnectedProxies.nodeId(mesh, dataplane.name()))) {
        offline.add(dataplane.name());
      }
    }
    Map<String, List<Resource>> policies = new HashMap<>();
    for (ResourceType type : ResourceCatalog.all()) {
      if (type.isPolicy()) {
        List<Resource> items = store.list(type, ListQuery.all(Optional.of(mesh))).items();
        if (!items.isEmpty()) {
          policies.put(type.name(), items);
        }
      }
    }
    boolean passthrough =
        store
            .get(ResourceKey.of(ResourceCatalog.MESH, "", mesh))
            .map(m -> m.spec().path("networking").path("outbound").path("passthrough"))
            .map(setting -> setting.asBoolean(true))
            .orElse(true);
    return MeshSnapshot.of(mesh, proxyModels, offline)
        .withPolicies(identities.mtls(mesh), policies)
        .withOutboundPassthrough(passthrough);
  }

  /** Drops a Dataplane's cached model (it changed or left). */
  void forgetModel(String mesh, String name) {
    models.remove(key(mesh, name));
  }

  private ProxyModel modelOf(Resource dataplane) {
    String key = key(dataplane.mesh(), dataplane.name());
    CachedModel cached = models.get(key);
    if (cached == null || cached.version() != dataplane.meta().version()) {
      cached = new CachedModel(dataplane.meta().version(), ProxyModels.fromDataplane(dataplane));
      models.put(key, cached);
    }
    return cached.model();
  }

  private static String key(String mesh, String name) {
    return mesh + "/" + name;
  }
}
