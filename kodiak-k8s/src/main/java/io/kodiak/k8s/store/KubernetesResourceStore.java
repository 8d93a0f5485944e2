package io.kodiak.k8s.store;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Store;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.kubernetes.CustomResourceDefinitions;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ChangeListener;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceAlreadyExistsException;
import io.kodiak.store.api.ResourceChange;
import io.kodiak.store.api.ResourceConflictException;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.ResourcePage;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.store.api.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store of Kubernetes mode ({@code store.type: kubernetes}): Kuma's custom resources and
 * Secrets through the API server. Reads come from informers (one watch per type, kept in memory);
 * writes go through the API, with the object's resourceVersion as the optimistic version, and
 * return once the informer holds them, so a reader sees its own writes. Each change is announced
 * once, in the order the API server made it: a change written here by the writing thread (or by the
 * watch, when its event came first), one made by others (kubectl) by the watch. Mesh-scoped objects
 * are owned by their Mesh, as in Kuma, so the cluster's garbage collector removes them with it;
 * this store also deletes them itself, one by one.
 *
 * <p>What Kubernetes does not give: a Mesh's deletion is not one transaction; versions move on
 * every write by anyone, so they are not 1, 2, 3; a name is unique in its namespace whatever the
 * mesh.
 *
 * <p>Thread-safe: writes are serialized by this process (the API server serializes them with
 * everyone else's); reads never block.
 */
public final class KubernetesResourceStore implements ResourceStore {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesResourceStore.class);
  private static final Duration READ_YOUR_WRITES = Duration.ofSeconds(10);
  private static final String SETTINGS = "kodiak-store-settings";

  private final KubernetesClient client;
  private final KubernetesNames names;
  private final Clock clock;
  private final Map<ResourceType, SharedIndexInformer<GenericKubernetesResource>> informers =
      new LinkedHashMap<>();
  private final SharedIndexInformer<Secret> secrets;
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final Object writeLock = new Object();
  private final Object announceLock = new Object();

  /**
   * The last version announced per object incarnation (uid), so a watch event of our own write is
   * not repeated; {@link #GONE} once it was deleted, so a late event cannot bring it back.
   */
  private final Map<String, Long> announced = new ConcurrentHashMap<>();

  private static final long GONE = Long.MAX_VALUE;

  /**
   * Starts one informer per type and waits until each has listed what exists.
   *
   * @param systemNamespace where resources without a namespace in their name live (the control
   *     plane's own namespace), and the store's settings
   */
  public KubernetesResourceStore(KubernetesClient client, String systemNamespace, Clock clock) {
    this.client = client;
    this.names = new KubernetesNames(systemNamespace);
    this.clock = clock;
    try {
      for (ResourceType type : CustomResourceDefinitions.types()) {
        SharedIndexInformer<GenericKubernetesResource> informer =
            client
                .genericKubernetesResources(CustomResources.context(type))
                .inAnyNamespace()
                .runnableInformer(0);
        informer.addEventHandler(new Announcer<>(type));
        informers.put(type, informer);
      }
      secrets =
          client
              .secrets()
              .inNamespace(systemNamespace)
              .withField("type", CustomResourceDefinitions.SECRET_TYPE)
              .runnableInformer(0);
      secrets.addEventHandler(new Announcer<>(ResourceCatalog.SECRET));
      // all lists at once: one after another, 18 round trips add up at start
      List<CompletableFuture<Void>> started = new ArrayList<>();
      for (SharedIndexInformer<?> informer : allInformers()) {
        started.add(informer.start().toCompletableFuture());
      }
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      close();
      throw new StoreUnavailableException(
          null,
          "cannot watch Kodiak's resources on the Kubernetes API server ("
              + e
              + "): are Kodiak's CRDs installed (kubectl get crd meshes.kuma.io) and may this"
              + " service account list and watch them?",
          e);
    }
  }

  @Override
  public Resource create(Resource resource) {
    synchronized (writeLock) {
      Optional<String> meshUid = requireMesh(resource.key());
      Instant now = clock.instant();
      HasMetadata written;
      try {
        written = create(resource, now, meshUid);
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          throw new ResourceAlreadyExistsException(resource.key());
        }
        throw refused(resource.key(), "create", e);
      }
      return announceAndAwait(ChangeKind.CREATED, resource.type(), written);
    }
  }

  @Override
  public Resource update(Resource resource, long expectedVersion) {
    synchronized (writeLock) {
      HasMetadata object =
          freshObject(resource.key())
              .orElseThrow(() -> new ResourceNotFoundException(resource.key()));
      Resource current = resource(resource.type(), object);
      if (current.meta().version() != expectedVersion) {
        throw new ResourceConflictException(
            resource.key(), expectedVersion, current.meta().version());
      }
      if (CustomResources.sameContent(current, resource)) {
        return current;
      }
      HasMetadata written;
      try {
        written = replace(CustomResources.edited(object, resource, names, clock.instant()));
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          Resource now =
              freshObject(resource.key()).map(o -> resource(resource.type(), o)).orElse(current);
          throw new ResourceConflictException(
              resource.key(), expectedVersion, now.meta().version());
        }
        if (e.getCode() == 404) {
          throw new ResourceNotFoundException(resource.key());
        }
        throw refused(resource.key(), "update", e);
      }
      return announceAndAwait(ChangeKind.UPDATED, resource.type(), written);
    }
  }

  @Override
  public void delete(ResourceKey key) {
    synchronized (writeLock) {
      Resource target = get(key).orElseThrow(() -> new ResourceNotFoundException(key));
      List<Resource> removed = new ArrayList<>();
      if (key.type() == ResourceCatalog.MESH) {
        for (ResourceType type : ResourceCatalog.all()) {
          if (type.isMeshScoped()) {
            removed.addAll(list(type, ListQuery.all(Optional.of(key.name()))).items());
          }
        }
      }
      removed.add(target);
      for (Resource resource : removed) {
        deleteOne(resource);
      }
    }
  }

  @Override
  public Optional<Resource> get(ResourceKey key) {
    return Optional.ofNullable(cache(key.type()).getByKey(cacheKey(key)))
        .filter(o -> !CustomResources.deleting(o))
        .map(o -> resource(key.type(), o))
        .filter(r -> r.key().equals(key)); // the same object under another mesh is not this key
  }

  @Override
  public ResourcePage list(ResourceType type, ListQuery query) {
    List<Resource> matching = new ArrayList<>();
    for (Resource resource : all(type)) {
      if ((query.mesh().isEmpty()
              || !type.isMeshScoped()
              || resource.mesh().equals(query.mesh().get()))
          && query.matches(resource)) {
        matching.add(resource);
      }
    }
    matching.sort(Comparator.comparing(Resource::mesh).thenComparing(Resource::name));
    int from = Math.min(query.offset(), matching.size());
    int to = (int) Math.min((long) from + query.size(), matching.size());
    return new ResourcePage(matching.subList(from, to), matching.size());
  }

  @Override
  public int count(ResourceType type, Optional<String> mesh) {
    return list(type, ListQuery.all(mesh)).total();
  }

  @Override
  public Optional<String> setting(String key) {
    ConfigMap settings =
        client.configMaps().inNamespace(names.systemNamespace()).withName(SETTINGS).get();
    return Optional.ofNullable(settings).map(ConfigMap::getData).map(data -> data.get(key));
  }

  @Override
  public void putSetting(String key, String value) {
    synchronized (writeLock) {
      var settings = client.configMaps().inNamespace(names.systemNamespace()).withName(SETTINGS);
      try {
        if (settings.get() == null) {
          settings.create(newSettings(key, value));
        } else {
          settings.edit(c -> new ConfigMapBuilder(c).addToData(key, value).build());
        }
      } catch (KubernetesClientException e) {
        throw refused(null, "write the setting " + key, e);
      }
    }
  }

  /** The settings ConfigMap holding one setting. */
  private ConfigMap newSettings(String key, String value) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(SETTINGS)
        .withNamespace(names.systemNamespace())
        .endMetadata()
        .addToData(key, value)
        .build();
  }

  /**
   * Atomic across replicas: the ConfigMap is created with the value, or edited under its
   * resourceVersion (a conflict, someone else's write, reads again); a value already there wins.
   */
  @Override
  public String settingIfAbsent(String key, String value) {
    synchronized (writeLock) {
      var settings = client.configMaps().inNamespace(names.systemNamespace()).withName(SETTINGS);
      for (int attempt = 0; ; attempt++) {
        try {
          ConfigMap current = settings.get();
          if (current == null) {
            settings.create(newSettings(key, value));
            return value;
          }
          String existing = current.getData() == null ? null : current.getData().get(key);
          if (existing != null) {
            return existing;
          }
          client // a PUT carrying the resourceVersion read: 409 if anyone wrote since
              .configMaps()
              .inNamespace(names.systemNamespace())
              .resource(new ConfigMapBuilder(current).addToData(key, value).build())
              .update();
          return value;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409 || attempt >= 10) {
            throw refused(null, "write the setting " + key, e);
          }
          // another replica created or changed the ConfigMap first: read what it wrote
        }
      }
    }
  }

  @Override
  public void addListener(ChangeListener listener) {
    listeners.add(listener);
  }

  @Override
  public void close() {
    allInformers().forEach(SharedIndexInformer::stop);
  }

  private List<SharedIndexInformer<?>> allInformers() {
    List<SharedIndexInformer<?>> all = new ArrayList<>(informers.values());
    if (secrets != null) {
      all.add(secrets);
    }
    return all;
  }

  private List<Resource> all(ResourceType type) {
    return cache(type).list().stream()
        .filter(o -> !CustomResources.deleting(o))
        .map(o -> resource(type, o))
        .toList();
  }

  /** What the type's informer holds: Secrets have their own, every other type one each. */
  private Store<? extends HasMetadata> cache(ResourceType type) {
    return type == ResourceCatalog.SECRET ? secrets.getStore() : informers.get(type).getStore();
  }

  /** Creates the object; a mesh-scoped one owned by its Mesh, as Kuma does. */
  private HasMetadata create(Resource resource, Instant now, Optional<String> meshUid) {
    HasMetadata object =
        resource.type() == ResourceCatalog.SECRET
            ? CustomResources.toSecret(resource, names, now, now)
            : CustomResources.toObject(resource, names, now, now);
    meshUid.ifPresent(
        uid ->
            object
                .getMetadata()
                .setOwnerReferences(
                    List.of(
                        new OwnerReferenceBuilder()
                            .withApiVersion(CustomResourceDefinitions.API_VERSION)
                            .withKind(ResourceCatalog.MESH.name())
                            .withName(resource.mesh())
                            .withUid(uid)
                            .build())));
    if (resource.type() == ResourceCatalog.DATAPLANE) {
      podOwner(object.getMetadata())
          .ifPresent(
              pod -> {
                List<OwnerReference> owners =
                    object.getMetadata().getOwnerReferences() == null
                        ? new ArrayList<>()
                        : new ArrayList<>(object.getMetadata().getOwnerReferences());
                owners.add(pod);
                object.getMetadata().setOwnerReferences(owners);
              });
    }
    if (object instanceof Secret secret) {
      return client.secrets().inNamespace(names.systemNamespace()).resource(secret).create();
    }
    return operation((GenericKubernetesResource) object).create();
  }

  /**
   * The Pod of the same name and namespace as a Dataplane object, as its controlling owner (Kuma's
   * Pod controller sets it): Kubernetes deletes the Dataplane with its Pod even while no control
   * plane runs. Empty for a Dataplane without a Pod (applied with kubectl).
   */
  private Optional<OwnerReference> podOwner(ObjectMeta meta) {
    Pod pod = client.pods().inNamespace(meta.getNamespace()).withName(meta.getName()).get();
    if (pod == null) {
      return Optional.empty();
    }
    return Optional.of(
        new OwnerReferenceBuilder()
            .withApiVersion("v1")
            .withKind("Pod")
            .withName(pod.getMetadata().getName())
            .withUid(pod.getMetadata().getUid())
            .withController(true)
            .withBlockOwnerDeletion(true)
            .build());
  }

  /** Replaces the object at the resourceVersion it carries (a conflict if it moved since). */
  private HasMetadata replace(HasMetadata object) {
    if (object instanceof Secret secret) {
      return client.secrets().inNamespace(names.systemNamespace()).resource(secret).update();
    }
    return operation((GenericKubernetesResource) object).update();
  }

  private io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource> operation(
      GenericKubernetesResource object) {
    ResourceType type = ResourceCatalog.byName(object.getKind()).orElseThrow();
    var kind = client.genericKubernetesResources(CustomResources.context(type));
    String namespace = object.getMetadata().getNamespace();
    return namespace == null ? kind.resource(object) : kind.inNamespace(namespace).resource(object);
  }

  private void deleteOne(Resource resource) {
    ResourceKey key = resource.key();
    String namespace = names.namespace(key);
    String name = names.objectName(key);
    List<StatusDetails> deleted;
    try {
      if (key.type() == ResourceCatalog.SECRET) {
        deleted = client.secrets().inNamespace(namespace).withName(name).delete();
      } else {
        var kind = client.genericKubernetesResources(CustomResources.context(key.type()));
        deleted =
            (namespace == null ? kind.withName(name) : kind.inNamespace(namespace).withName(name))
                .delete();
      }
    } catch (KubernetesClientException e) {
      throw refused(key, "delete", e);
    }
    if (deleted.isEmpty()) {
      throw new ResourceNotFoundException(key); // gone already: its deleter's watch event says so
    }
    synchronized (announceLock) {
      Long before = announced.put(deleted.get(0).getUid(), GONE);
      if (before == null || before != GONE) { // else its watch event came first
        announce(ChangeKind.DELETED, resource);
      }
    }
    awaitCache(key.type(), cacheKey(key), -1);
  }

  /** Announces our own write, then waits until the informer holds it (read your writes). */
  private Resource announceAndAwait(ChangeKind kind, ResourceType type, HasMetadata written) {
    Resource stored = resource(type, written);
    String cacheKey = cacheKey(stored.key());
    String uid = written.getMetadata().getUid();
    synchronized (announceLock) {
      Long seen = announced.get(uid);
      if (seen == null || seen < stored.meta().version()) { // else its watch event came first
        announced.put(uid, stored.meta().version());
        announce(kind, stored);
      }
    }
    awaitCache(type, cacheKey, stored.meta().version());
    return stored;
  }

  /** Until the cache holds at least {@code version} of the object (-1: until it is gone). */
  private void awaitCache(ResourceType type, String cacheKey, long version) {
    long deadline = System.nanoTime() + READ_YOUR_WRITES.toNanos();
    while (System.nanoTime() < deadline) {
      HasMetadata cached = cache(type).getByKey(cacheKey);
      if (version < 0
          ? cached == null
          : cached != null
              && Long.parseLong(cached.getMetadata().getResourceVersion()) >= version) {
        return;
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    LOG.warn(
        "store: the watch of {} has not caught up with a write of {} after {} s; reads may lag",
        type.name(),
        cacheKey,
        READ_YOUR_WRITES.toSeconds());
  }

  private void announce(ChangeKind kind, Resource resource) {
    ResourceChange change = new ResourceChange(kind, resource);
    synchronized (announceLock) {
      for (ChangeListener listener : listeners) {
        try {
          listener.onChange(change);
        } catch (RuntimeException e) {
          LOG.error("change listener failed on {} {}: {}", kind, resource.key(), e.toString(), e);
        }
      }
    }
  }

  /** Fresh from the API server, not the cache: what an update must compare against. */
  private Optional<HasMetadata> freshObject(ResourceKey key) {
    String namespace = names.namespace(key);
    String name = names.objectName(key);
    try {
      HasMetadata object;
      if (key.type() == ResourceCatalog.SECRET) {
        object = client.secrets().inNamespace(namespace).withName(name).get();
      } else {
        var kind = client.genericKubernetesResources(CustomResources.context(key.type()));
        object =
            (namespace == null ? kind.withName(name) : kind.inNamespace(namespace).withName(name))
                .get();
      }
      return Optional.ofNullable(object)
          .filter(o -> !CustomResources.deleting(o))
          .filter(o -> resource(key.type(), o).key().equals(key));
    } catch (KubernetesClientException e) {
      throw refused(key, "read", e);
    }
  }

  private Resource resource(ResourceType type, HasMetadata object) {
    return type == ResourceCatalog.SECRET
        ? CustomResources.fromSecret(type, (Secret) object, names)
        : CustomResources.fromObject(type, (GenericKubernetesResource) object, names);
  }

  /** The uid of the resource's Mesh (empty for a global type); not found when there is none. */
  private Optional<String> requireMesh(ResourceKey key) {
    if (!key.type().isMeshScoped()) {
      return Optional.empty();
    }
    ResourceKey mesh = ResourceKey.of(ResourceCatalog.MESH, "", key.mesh());
    HasMetadata object = freshObject(mesh).orElseThrow(() -> new ResourceNotFoundException(mesh));
    return Optional.of(object.getMetadata().getUid());
  }

  private String cacheKey(ResourceKey key) {
    String namespace = names.namespace(key);
    return namespace == null ? names.objectName(key) : namespace + "/" + names.objectName(key);
  }

  /**
   * What the API server said, as the caller can act on it: a name or value Kubernetes does not
   * accept is the caller's to fix (a validation error); a missing namespace is named; the rest
   * means the API server cannot be written now.
   */
  private RuntimeException refused(ResourceKey key, String what, KubernetesClientException e) {
    String reason =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    if (e.getCode() == 422 || e.getCode() == 400) {
      return ValidationException.of("name", "Kubernetes refused " + key + ": " + reason);
    }
    if (e.getCode() == 404 && key != null && names.namespace(key) != null) {
      return new StoreUnavailableException(
          key,
          "cannot " + what + " " + key + ": namespace " + names.namespace(key) + " does not exist",
          e);
    }
    return new StoreUnavailableException(
        key,
        "the Kubernetes API server refused to "
            + what
            + (key == null ? "" : " " + key)
            + ": "
            + e.getCode()
            + " "
            + reason,
        e);
  }

  /** Announces what others write; our own writes were announced already (by uid and version). */
  private final class Announcer<T extends HasMetadata> implements ResourceEventHandler<T> {
    private final ResourceType type;

    Announcer(ResourceType type) {
      this.type = type;
    }

    @Override
    public void onAdd(T object) {
      changed(ChangeKind.CREATED, null, object);
    }

    @Override
    public void onUpdate(T before, T object) {
      changed(ChangeKind.UPDATED, before, object);
    }

    @Override
    public void onDelete(T object, boolean finalStateUnknown) {
      synchronized (announceLock) {
        Long seen = announced.put(object.getMetadata().getUid(), GONE);
        if (seen == null || seen != GONE) {
          announce(ChangeKind.DELETED, resource(type, object));
        }
      }
    }

    private void changed(ChangeKind kind, T before, T object) {
      if (CustomResources.deleting(object)) {
        onDelete(object, false); // a finalizer holds it: gone for Kodiak
        return;
      }
      long version = Long.parseLong(object.getMetadata().getResourceVersion());
      synchronized (announceLock) {
        Long seen = announced.get(object.getMetadata().getUid());
        if (seen != null && seen >= version) {
          return; // written here and announced then, or deleted already
        }
        announced.put(object.getMetadata().getUid(), version);
        Resource now = resource(type, object);
        Resource was = before == null ? null : resource(type, before);
        if (was != null && !was.key().equals(now.key())) {
          // its mesh label or field changed: it left one mesh for another
          announce(ChangeKind.DELETED, was);
          announce(ChangeKind.CREATED, now);
        } else {
          announce(kind, now);
        }
      }
    }
  }
}
