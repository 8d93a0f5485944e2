package io.kodiak.k8s.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ChangeListener;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceChange;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.ResourceStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one Dataplane per meshed Pod (one the injector gave a sidecar), as Kuma's Pod controller
 * does: created when the Pod has an IP, following its labels, readiness and the Services that
 * select it, moved when its mesh changes, deleted when it goes or completes. Pods, Services and
 * Namespaces are watched (informers), Meshes and Dataplanes through the store's change events; each
 * change queues only the Pods it can affect, and a Pod whose Dataplane already says what it should
 * costs no write. Dataplanes it owns carry {@code kuma.io/proxy-type: sidecar} and {@code
 * k8s.kuma.io/namespace}; a Dataplane of a Pod that no longer exists is removed at start.
 *
 * <p>Thread-safe: events only queue Pod keys; one worker thread reconciles them.
 */
public final class PodDataplaneController implements ChangeListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PodDataplaneController.class);

  private final KubernetesClient client;
  private final ResourceStore store;
  private final DataplaneWrites writes;
  private final PodQueue queue = new PodQueue();

  /** Pod key (namespace/name) to the Dataplane it has, from the store's events. */
  private final Map<String, ResourceKey> owned = new ConcurrentHashMap<>();

  /** What was refused last per Pod, so a Pod that stays wrong is logged once, not per event. */
  private final Map<String, String> refusals = new ConcurrentHashMap<>();

  private final Generational<String, List<MeshService>> meshServices = new Generational<>();

  /** The watches and worker of one term as leader; null while not running. */
  private volatile Run run;

  private boolean listening;

  private record Run(
      SharedIndexInformer<Pod> pods,
      SharedIndexInformer<Service> services,
      SharedIndexInformer<Namespace> namespaces,
      Thread worker) {
    List<SharedIndexInformer<?>> informers() {
      return List.of(pods, services, namespaces);
    }
  }

  public PodDataplaneController(
      KubernetesClient client, ResourceStore store, DataplaneWrites writes) {
    this.client = client;
    this.store = store;
    this.writes = writes;
  }

  /**
   * Lists and watches Pods, Services and Namespaces, then reconciles every Pod and keeps at it
   * until {@link #stop}. May be started again after a stop (the next term as leader).
   */
  public synchronized void start() {
    if (run != null) {
      return;
    }
    if (!listening) {
      store.addListener(this);
      listening = true;
    }
    owned.clear();
    for (Resource dataplane :
        store.list(ResourceCatalog.DATAPLANE, ListQuery.all(Optional.empty())).items()) {
      podKey(dataplane).ifPresent(key -> owned.put(key, dataplane.key()));
    }
    SharedIndexInformer<Pod> pods = client.pods().inAnyNamespace().runnableInformer(0);
    pods.addEventHandler(handler(this::podChanged));
    SharedIndexInformer<Service> services = client.services().inAnyNamespace().runnableInformer(0);
    services.addEventHandler(handler(object -> servicesChanged()));
    SharedIndexInformer<Namespace> namespaces = client.namespaces().runnableInformer(0);
    namespaces.addEventHandler(handler(object -> servicesChanged()));
    Thread worker = new Thread(this::work, "pod-dataplanes");
    worker.setDaemon(true);
    Run started = new Run(pods, services, namespaces, worker);
    try {
      CompletableFuture.allOf(
              started.informers().stream()
                  .map(i -> i.start().toCompletableFuture())
                  .toArray(CompletableFuture[]::new))
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      started.informers().forEach(SharedIndexInformer::close);
      throw new IllegalStateException(
          "cannot watch Pods, Services and Namespaces ("
              + e
              + "): may this service account list and watch them cluster-wide?",
          e);
    }
    meshServices.invalidate();
    run = started;
    everyPodChanged();
    owned.keySet().forEach(queue::add); // Dataplanes of Pods deleted while we were away
    worker.start();
    LOG.info(
        "pod controller: watching {} Pods, {} Services, {} Namespaces",
        pods.getStore().list().size(),
        services.getStore().list().size(),
        namespaces.getStore().list().size());
  }

  /** Stops watching and reconciling; a write in progress finishes. */
  public synchronized void stop() {
    Run stopped = run;
    if (stopped == null) {
      return;
    }
    run = null;
    stopped.worker().interrupt();
    stopped.informers().forEach(SharedIndexInformer::close);
    queue.clear();
    LOG.info("pod controller: stopped");
  }

  @Override
  public void onChange(ResourceChange change) {
    Resource resource = change.resource();
    if (resource.type() == ResourceCatalog.MESH && change.kind() == ChangeKind.CREATED) {
      everyPodChanged(); // Pods waiting for their mesh to exist
      return;
    }
    if (resource.type() != ResourceCatalog.DATAPLANE) {
      return;
    }
    podKey(resource)
        .ifPresent(
            key -> {
              if (change.kind() == ChangeKind.DELETED) {
                owned.remove(key, resource.key());
              } else {
                owned.put(key, resource.key());
              }
              if (run != null) {
                queue.add(key); // someone else's edit or deletion is undone
              }
            });
  }

  private void podChanged(HasMetadata pod) {
    queue.add(Cache.metaNamespaceKeyFunc(pod));
  }

  /** A Service or Namespace changed: the mesh's outbounds and any Pod's inbounds may have. */
  private void servicesChanged() {
    meshServices.invalidate();
    everyPodChanged();
  }

  private void everyPodChanged() {
    Run current = run;
    if (current == null) {
      return;
    }
    for (Pod pod : current.pods().getStore().list()) {
      if (Meshing.isMeshed(pod)) {
        podChanged(pod);
      }
    }
  }

  private void work() {
    Run mine = run;
    while (!Thread.currentThread().isInterrupted() && run == mine) {
      String key;
      try {
        key = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      try {
        reconcile(mine, key);
      } catch (RuntimeException e) {
        if (run != mine) {
          return; // stopped meanwhile: the next term reconciles everything anyway
        }
        LOG.warn(
            "pod controller: could not reconcile Pod {} ({}); retrying in 1 s", key, e.toString());
        queue.addLater(key, 1000);
      }
    }
  }

  private void reconcile(Run term, String key) {
    Pod pod = term.pods().getStore().getByKey(key);
    Optional<DesiredDataplane> desired = desired(term, pod);
    ResourceKey current = owned.get(key);
    if (current != null && (desired.isEmpty() || !current.mesh().equals(desired.get().mesh()))) {
      try {
        writes.delete(current);
      } catch (ResourceNotFoundException gone) {
        // already deleted
      }
      owned.remove(key, current);
      LOG.info("pod controller: deleted Dataplane {} of Pod {}", current, key);
    }
    if (desired.isEmpty()) {
      refusals.remove(key);
      return;
    }
    DesiredDataplane want = desired.get();
    ResourceKey wantKey = ResourceKey.of(ResourceCatalog.DATAPLANE, want.mesh(), want.name());
    Optional<Resource> stored = store.get(wantKey);
    if (stored.isPresent() && want.matches(stored.get())) {
      return;
    }
    try {
      writes.put(want.document());
      refusals.remove(key);
    } catch (ValidationException e) {
      String reason = e.getMessage();
      if (!reason.equals(refusals.put(key, reason))) {
        LOG.warn("pod controller: Pod {} gets no Dataplane: {}", key, reason);
      }
    }
  }

  private Optional<DesiredDataplane> desired(Run current, Pod pod) {
    if (pod == null || !Meshing.isMeshed(pod) || !Meshing.isRunning(pod)) {
      return Optional.empty();
    }
    String namespace = pod.getMetadata().getNamespace();
    SharedIndexInformer<Service> services = current.services();
    SharedIndexInformer<Namespace> namespaces = current.namespaces();
    Namespace ns = namespaces.getStore().getByKey(namespace);
    String mesh = Meshing.meshOf(pod, ns);
    List<Service> local = services.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
    List<MeshService> reachable =
        meshServices.get(
            mesh,
            () ->
                Meshing.services(
                    mesh, services.getStore().list(), namespaces.getStore()::getByKey));
    return Optional.of(PodConversion.dataplane(pod, mesh, local, reachable));
  }

  /** The Pod a Dataplane this controller owns belongs to. */
  private static Optional<String> podKey(Resource dataplane) {
    Map<String, String> labels = dataplane.meta().labels();
    String namespace = labels.get(KumaMetadata.NAMESPACE_TAG);
    if (namespace == null
        || !KumaMetadata.SIDECAR.equals(labels.get(KumaMetadata.PROXY_TYPE_LABEL))
        || !dataplane.name().endsWith("." + namespace)) {
      return Optional.empty();
    }
    String pod = dataplane.name().substring(0, dataplane.name().length() - namespace.length() - 1);
    return Optional.of(namespace + "/" + pod);
  }

  private static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> onChange) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        onChange.accept(object);
      }

      @Override
      public void onUpdate(T before, T object) {
        if (!before
            .getMetadata()
            .getResourceVersion()
            .equals(object.getMetadata().getResourceVersion())) {
          onChange.accept(object);
        }
      }

      @Override
      public void onDelete(T object, boolean finalStateUnknown) {
        onChange.accept(object);
      }
    };
  }

  @Override
  public void close() {
    stop();
    queue.close();
  }
}
