package io.kodiak.cp.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.cp.defaults.InitialPolicies;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.model.validation.Violations;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.store.api.StoreFullException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way resources are written: decode, validate (collecting every violation), check the
 * mesh exists, ask the {@link Capacity} for room, add system labels, then store with optimistic
 * concurrency. A rejected write changes nothing; deletes and unchanged writes are never refused
 * for capacity. Thread-safe.
 */
public final class ResourceManager {
  public static final String MESH_LABEL = "kuma.io/mesh";
  public static final String ORIGIN_LABEL = "kuma.io/origin";
  private static final Logger LOG = LoggerFactory.getLogger(ResourceManager.class);

  private final ResourceStore store;
  private final Validators validators;
  private final Capacity capacity;

  public ResourceManager(ResourceStore store, Validators validators) {
    this(store, validators, Capacity.UNLIMITED);
  }

  /** @param capacity asked before each create and update; a write it refuses changes nothing */
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
  public PutResult put(ResourceType type, String mesh, String name, JsonNode body, OptionalLong ifMatch) {
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
    if (type.isMeshScoped() && store.get(ResourceKey.of(ResourceCatalog.MESH, "", mesh)).isEmpty()) {
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
        throw ValidationException.of("mesh", "mesh \"" + mesh + "\" does not exist; create it first");
      }
      LOG.info("created {} (version {})", created.key(), created.meta().version());
      if (type == ResourceCatalog.MESH) {
        InitialPolicies.createFor(created, store);
      }
      return new PutResult(created, true);
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

  public ResourceStore store() {
    return store;
  }

  /** Checks that the body agrees with the path, then fills in what the path says. */
  private static ObjectNode envelope(ResourceType type, String mesh, String name, JsonNode body,
      Violations violations) {
    if (body == null || !body.isObject()) {
      throw ValidationException.of("", "the body must be a JSON object describing a " + type.name());
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

  private static void agree(ObjectNode document, String field, String expected, String what, Violations out) {
    JsonNode given = document.get(field);
    if (given != null && !given.isNull() && !expected.equals(given.asText())) {
      out.add(FieldPath.of(field), "\"" + given.asText() + "\" does not match " + what + " (\"" + expected + "\")");
    }
  }

  private static boolean sameContent(Resource stored, Resource given) {
    return stored.spec().equals(given.spec()) && stored.meta().labels().equals(given.meta().labels());
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
