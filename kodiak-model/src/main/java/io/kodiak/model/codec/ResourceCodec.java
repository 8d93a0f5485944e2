package io.kodiak.model.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.catalog.WireFormat;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.core.ResourceMeta;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.NameRules;
import io.kodiak.model.validation.SchemaValidator;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.model.validation.Violations;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Converts resources to and from Kuma's Universal wire format.
 *
 * <p>{@link #decode} checks the envelope (type, name, mesh, labels) and the structural schema of
 * the type and reports every violation at once; semantic checks belong to the per-type validators.
 * Read-only fields ({@code creationTime}, {@code modificationTime}, {@code kri}) are ignored on
 * input and null-valued fields are treated as absent. Thread-safe.
 */
public final class ResourceCodec {
  public static final String DEFAULT_MESH = "default";
  private static final Set<String> ENVELOPE = Set.of("type", "mesh", "name", "labels");
  private static final Set<String> READ_ONLY = Set.of("creationTime", "modificationTime", "kri");

  private ResourceCodec() {}

  /**
   * Decodes a wire document into a resource not yet stored.
   *
   * @throws io.kodiak.model.validation.ValidationException with every violation found
   */
  public static Resource decode(JsonNode input) {
    Violations violations = new Violations();
    Resource resource = decode(input, violations);
    violations.throwIfAny();
    return resource;
  }

  /**
   * Decodes as far as possible, adding every violation to {@code violations} instead of throwing,
   * so semantic validators can report their findings in the same answer.
   *
   * @throws io.kodiak.model.validation.ValidationException only when the document is not a resource
   *     at all (not an object, or no known type)
   */
  public static Resource decode(JsonNode input, Violations violations) {
    if (input == null || !input.isObject()) {
      throw ValidationException.of("", "a resource must be an object, not " + kind(input));
    }
    ObjectNode document = withoutNulls((ObjectNode) input);
    READ_ONLY.forEach(document::remove);
    Violations envelope = new Violations();
    ResourceType type = typeOf(document, envelope);
    envelope.throwIfAny();

    SchemaValidator.instance().validate(type.name(), document, violations);
    String name = document.path("name").asText("");
    if (document.path("name").isTextual()) {
      NameRules.checkName(type, name, FieldPath.of("name"), violations);
    }
    String mesh = "";
    if (type.isMeshScoped()) {
      mesh = document.path("mesh").isTextual() ? document.get("mesh").asText() : DEFAULT_MESH;
      NameRules.checkMeshName(mesh, FieldPath.of("mesh"), violations);
    } else if (document.has("mesh")) {
      violations.add(
          FieldPath.of("mesh"), "must not be set: " + type.name() + " is not inside a mesh");
    }
    Map<String, String> labels = labels(document.get("labels"), violations);
    return new Resource(
        ResourceKey.of(type, mesh, name), ResourceMeta.unsaved(labels), specOf(type, document));
  }

  /** Encodes a resource in wire format: envelope first, then its fields or {@code spec}. */
  public static ObjectNode encode(Resource resource) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    ObjectNode out = nodes.objectNode();
    out.put("type", resource.type().name());
    if (resource.type().isMeshScoped()) {
      out.put("mesh", resource.mesh());
    }
    out.put("name", resource.name());
    putTime(out, "creationTime", resource.meta().creationTime());
    putTime(out, "modificationTime", resource.meta().modificationTime());
    ObjectNode labels = out.putObject("labels");
    resource.meta().labels().forEach(labels::put);
    if (resource.type().format() == WireFormat.SPEC) {
      out.set("spec", resource.spec().deepCopy());
    } else {
      resource.spec().fields().forEachRemaining(e -> out.set(e.getKey(), e.getValue().deepCopy()));
    }
    return out;
  }

  private static ResourceType typeOf(ObjectNode document, Violations violations) {
    JsonNode type = document.get("type");
    if (type == null) {
      violations.add(FieldPath.of("type"), "must be defined");
      return null;
    }
    if (!type.isTextual()) {
      violations.add(FieldPath.of("type"), "must be a string");
      return null;
    }
    return ResourceCatalog.byName(type.asText())
        .orElseGet(
            () -> {
              violations.add(
                  FieldPath.of("type"), "unknown resource type \"" + type.asText() + "\"");
              return null;
            });
  }

  private static Map<String, String> labels(JsonNode node, Violations violations) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (node == null || !node.isObject()) {
      return labels; // a wrong type is reported by the schema check
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> label = fields.next();
      NameRules.checkLabel(
          label.getKey(),
          label.getValue().asText(),
          FieldPath.of("labels").key(label.getKey()),
          violations);
      labels.put(label.getKey(), label.getValue().asText());
    }
    return labels;
  }

  private static ObjectNode specOf(ResourceType type, ObjectNode document) {
    if (type.format() == WireFormat.SPEC) {
      return document.get("spec") instanceof ObjectNode spec
          ? spec
          : JsonNodeFactory.instance.objectNode();
    }
    ObjectNode spec = document.deepCopy();
    ENVELOPE.forEach(spec::remove);
    return spec;
  }

  private static ObjectNode withoutNulls(ObjectNode node) {
    ObjectNode copy = node.deepCopy();
    stripNulls(copy);
    return copy;
  }

  private static void stripNulls(JsonNode node) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> stripNulls(e.getValue()));
      ((ObjectNode) node).properties().removeIf(e -> e.getValue().isNull());
    } else if (node.isArray()) {
      node.forEach(ResourceCodec::stripNulls);
    }
  }

  private static void putTime(ObjectNode out, String field, Instant time) {
    if (time != null) {
      out.put(field, time.toString());
    }
  }

  private static String kind(JsonNode node) {
    if (node == null || node.isNull()) {
      return "empty";
    }
    return node.isArray()
        ? "an array"
        : node.isTextual() ? "a string" : "a " + node.getNodeType().name().toLowerCase();
  }
}
