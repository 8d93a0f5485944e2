package io.kodiak.cp.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.cp.mtls.BuiltinCa;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.model.validation.Violations;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceAlreadyExistsException;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.store.api.StoreFullException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way resources and settings are written (an ArchUnit rule holds every other class of the
 * control plane to it): decode, validate (collecting every violation), check the mesh exists, ask
 * the {@link Capacity} for room, add system labels, then store with optimistic concurrency. A
 * rejected write changes nothing; deletes and unchanged writes are never refused for capacity. What
 * the control plane writes by itself (a new mesh's initial policies, a mesh's builtin CA, a token
 * signing key, the default mesh, settings) goes through here too: a Mesh's CA is created when the
 * Mesh is written, before an update is stored, so no reader ever needs to create one. Thread-safe.
 */
public final class ResourceManager {
  public static final String MESH_LABEL = "kuma.io/mesh";
  public static final String ORIGIN_LABEL = "kuma.io/origin";
  private static final Logger LOG = LoggerFactory.getLogger(ResourceManager.class);

  private final ResourceStore store;
  private final Validators validators;
  private final Capacity capacity;
  private final Clock clock = Clock.systemUTC(); // when a generated CA starts to be valid

  /**
   * Two writers of one mesh must not each store half of a different CA (key of one, certificate of
   * the other).
   */
  private final Object caCreation = new Object();

  public ResourceManager(ResourceStore store, Validators validators) {
    this(store, validators, Capacity.UNLIMITED);
  }

  /**
   * @param capacity asked before each create and update; a write it refuses changes nothing
   */
  public ResourceManager(ResourceStore store, Validators validators, Capacity capacity) {
    this.store = store;
    this.validators = validators;
    this.capacity = capacity;
  }

  /** Decodes and validates a wire document completely, without storing it. */
  public Resource validate(JsonNode document) {
    Violations violations = new Violations();
    Resource resource = ResourceCodec.decode(document, violations);
    validators.of(resource.type()).validate(resource, violations);
    violations.throwIfAny();
    return withSystemLabels(resource);
  }

  /**
   * Creates or replaces the resource at a REST path with the body given.
   *
   * @param ifMatch when present, the update happens only if the stored version equals it
   */
  public PutResult put(
      ResourceType type, String mesh, String name, JsonNode body, OptionalLong ifMatch) {
    Violations pathMismatches = new Violations();
    ObjectNode document = envelope(type, mesh, name, body, pathMismatches);
    Resource resource;
    try {
      resource = validate(document);
    } catch (ValidationException e) {
      pathMismatches.addAll(e.violations());
      throw new ValidationException(pathMismatches.list());
    }
    pathMismatches.throwIfAny();
    if (type.isMeshScoped()
        && store.get(ResourceKey.of(ResourceCatalog.MESH, "", mesh)).isEmpty()) {
      throw ValidationException.of("mesh", "mesh \"" + mesh + "\" does not exist; create it first");
    }
    Optional<Resource> current = store.get(resource.key());
    if (current.isEmpty() || !sameContent(current.get(), resource)) {
      // An unchanged write (a proxy registering again after a restart) costs nothing: let it by.
      Optional<String> full = capacity.refusal();
      if (full.isPresent()) {
        throw new StoreFullException(resource.key(), full.get());
      }
    }
    if (current.isEmpty()) {
      Resource created;
      try {
        created = store.create(resource);
      } catch (ResourceNotFoundException e) {
        // the mesh was deleted between the check above and the write
        throw ValidationException.of(
            "mesh", "mesh \"" + mesh + "\" does not exist; create it first");
      }
      LOG.info("created {} (version {})", created.key(), created.meta().version());
      if (type == ResourceCatalog.MESH) {
        createBesideNewMesh(created);
      }
      return new PutResult(created, true);
    }
    if (type == ResourceCatalog.MESH) {
      createMissingCa(
          resource); // before the Mesh is stored: no proxy of it ever lacks the CA it enables
    }
    long expected = ifMatch.orElse(current.get().meta().version());
    Resource updated = store.update(resource, expected);
    if (updated.meta().version() != current.get().meta().version()) {
      LOG.info("updated {} (version {})", updated.key(), updated.meta().version());
    }
    return new PutResult(updated, false);
  }

  /** Deletes a resource; deleting a mesh deletes everything in it. */
  public void delete(ResourceKey key) {
    store.delete(key);
    LOG.info("deleted {}", key);
    capacity.released();
  }

  /**
   * Creates a resource the control plane owns (the default mesh, a token signing key) with the
   * system labels and capacity check of any create, but without user validation: its content is the
   * control plane's own. A Mesh gets its CA and initial policies as through {@link #put}. When the
   * key is taken (a concurrent request or replica was first), the stored resource is kept.
   *
   * @param purpose what the resource is for, for the log line
   * @return the stored resource: this one, or the one that was there
   */
  public Resource createSystemResource(Resource resource, String purpose) {
    Optional<Resource> existing = store.get(resource.key());
    if (existing.isPresent()) {
      return existing.get();
    }
    Optional<String> full = capacity.refusal();
    if (full.isPresent()) {
      throw new StoreFullException(resource.key(), full.get());
    }
    Optional<Resource> created = createIfAbsent(resource, purpose);
    if (created.isEmpty()) {
      return store
          .get(resource.key())
          .orElseThrow(() -> new ResourceAlreadyExistsException(resource.key()));
    }
    if (resource.type() == ResourceCatalog.MESH) {
      createBesideNewMesh(created.get());
    }
    return created.get();
  }

  /**
   * Creates the builtin CA of every stored mesh whose enabled backend lacks one: at start, for
   * meshes stored before CAs were created on write, or whose CA Secrets were deleted.
   */
  public void createMissingMeshCas() {
    createMissingMeshCas(() -> true);
  }

  /**
   * {@link #createMissingMeshCas()}, asking {@code carryOn} before each mesh: singleton work stops
   * between meshes when this replica stops leading.
   */
  public void createMissingMeshCas(BooleanSupplier carryOn) {
    for (Resource mesh :
        store.list(ResourceCatalog.MESH, ListQuery.all(Optional.empty())).items()) {
      if (!carryOn.getAsBoolean()) {
        return;
      }
      createMissingCa(mesh);
    }
  }

  /** A store-level setting, such as a one-time marker. */
  public Optional<String> setting(String key) {
    return store.setting(key);
  }

  /** Writes a store-level setting durably. */
  public void putSetting(String key, String value) {
    store.putSetting(key, value);
    LOG.info("stored setting {}", key);
  }

  /**
   * The setting's value; when it has none yet, {@code value}, stored unless another replica stored
   * one first (then that one).
   */
  public String settingIfAbsent(String key, String value) {
    String stored = store.settingIfAbsent(key, value);
    if (stored.equals(value)) {
      LOG.info("stored setting {}", key);
    }
    return stored;
  }

  /** For reads only: every write goes through this manager. */
  public ResourceStore store() {
    return store;
  }

  void createBesideNewMesh(Resource mesh) {
    createMissingCa(mesh);
    for (Resource policy : InitialPolicies.of(mesh)) {
      createIfAbsent(policy, "initial policy of new mesh " + mesh.name());
    }
  }

  void createMissingCa(Resource mesh) {
    synchronized (caCreation) {
      BuiltinCa.missingFor(mesh, store, clock.instant())
          .ifPresent(
              ca -> {
                for (Resource secret : ca.secrets()) {
                  createIfAbsent(
                      secret,
                      "builtin CA of mTLS backend "
                          + ca.backend()
                          + ", valid until "
                          + ca.notAfter());
                }
              });
    }
  }

  /**
   * Stores what the control plane owns unless its key is taken; empty when it was (the stored one
   * wins).
   */
  private Optional<Resource> createIfAbsent(Resource resource, String purpose) {
    try {
      Resource created = store.create(withSystemLabels(resource));
      LOG.info("created {} ({}; version {})", created.key(), purpose, created.meta().version());
      return Optional.of(created);
    } catch (ResourceAlreadyExistsException e) {
      LOG.info("kept the existing {} ({})", resource.key(), purpose);
      return Optional.empty();
    }
  }

  /** Checks that the body agrees with the path, then fills in what the path says. */
  private static ObjectNode envelope(
      ResourceType type, String mesh, String name, JsonNode body, Violations violations) {
    if (body == null || !body.isObject()) {
      throw ValidationException.of(
          "", "the body must be a JSON object describing a " + type.name());
    }
    ObjectNode document = ((ObjectNode) body).deepCopy();
    agree(document, "type", type.name(), "the resource type of the URL", violations);
    agree(document, "name", name, "the name in the URL", violations);
    if (type.isMeshScoped()) {
      agree(document, "mesh", mesh, "the mesh in the URL", violations);
      document.put("mesh", mesh);
    }
    document.put("type", type.name());
    document.put("name", name);
    return document;
  }

  private static void agree(
      ObjectNode document, String field, String expected, String what, Violations out) {
    JsonNode given = document.get(field);
    if (given != null && !given.isNull() && !expected.equals(given.asText())) {
      out.add(
          FieldPath.of(field),
          "\"" + given.asText() + "\" does not match " + what + " (\"" + expected + "\")");
    }
  }

  private static boolean sameContent(Resource stored, Resource given) {
    return stored.spec().equals(given.spec())
        && stored.meta().labels().equals(given.meta().labels());
  }

  private static Resource withSystemLabels(Resource resource) {
    if (!resource.type().isMeshScoped()) {
      return resource;
    }
    Map<String, String> labels = new HashMap<>(resource.meta().labels());
    labels.put(MESH_LABEL, resource.mesh());
    if (resource.type().isPolicy()) {
      labels.putIfAbsent(ORIGIN_LABEL, "zone");
    }
    return resource.withMeta(resource.meta().withLabels(labels));
  }

  /** The stored resource and whether the write created it. */
  public record PutResult(Resource resource, boolean created) {}
}
