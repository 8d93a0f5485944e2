package io.kodiak.model.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.catalog.WireFormat;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.validation.SchemaValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The CustomResourceDefinitions of Kubernetes mode: one per resource type Kodiak serves, in Kuma's
 * group, version and kinds ({@code kuma.io/v1alpha1}), so Kuma's own Kubernetes YAML applies
 * unchanged. Mesh is cluster-scoped; every other type is namespaced. Policies name their mesh with
 * the {@code kuma.io/mesh} label; Dataplane, as in Kuma, with a top-level {@code mesh} field. Each
 * schema is the contract's, made structural ({@link StructuralSchema}). Secrets are not custom
 * resources: they are Kubernetes Secrets of type {@link #SECRET_TYPE}.
 */
public final class CustomResourceDefinitions {
  public static final String GROUP = "kuma.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  /** The Kubernetes Secret type Kuma gives mesh secrets. */
  public static final String SECRET_TYPE = "system.kuma.io/secret";

  /** Fields of a legacy type's wire form that are metadata on Kubernetes, not spec. */
  private static final Set<String> METADATA_FIELDS =
      Set.of("type", "name", "mesh", "labels", "creationTime", "modificationTime", "kri");

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private CustomResourceDefinitions() {}

  /** The types that have a custom resource: all but Secret. */
  public static List<ResourceType> types() {
    return ResourceCatalog.all().stream().filter(t -> t != ResourceCatalog.SECRET).toList();
  }

  /** Every definition, in catalog order. */
  public static List<ObjectNode> all() {
    JsonNode schemas = SchemaValidator.instance().schemas();
    StructuralSchema structural = new StructuralSchema(schemas);
    List<ObjectNode> out = new ArrayList<>();
    for (ResourceType type : types()) {
      out.add(definition(type, structural.of(specSchema(type, schemas))));
    }
    return out;
  }

  /** Every definition as one YAML stream, for {@code kubectl apply -f}. */
  public static String yaml() {
    StringBuilder out = new StringBuilder();
    for (ObjectNode crd : all()) {
      out.append("---\n").append(Documents.toYaml(crd));
    }
    return out.toString();
  }

  /** The CRD's name: {@code meshtimeouts.kuma.io}. */
  public static String name(ResourceType type) {
    return type.path() + "." + GROUP;
  }

  /** Whether objects of the type live in a namespace. */
  public static boolean namespaced(ResourceType type) {
    return type != ResourceCatalog.MESH;
  }

  /**
   * Whether the object names its mesh in a top-level {@code mesh} field (Dataplane), else in the
   * {@code kuma.io/mesh} label (policies, Secrets).
   */
  public static boolean meshField(ResourceType type) {
    return type.isMeshScoped()
        && type.format() == WireFormat.TOP_LEVEL
        && type != ResourceCatalog.SECRET;
  }

  /** What goes under {@code spec}: a policy's spec, or a legacy type's fields. */
  private static JsonNode specSchema(ResourceType type, JsonNode schemas) {
    JsonNode item = schemas.get(type.name() + "Item");
    if (item == null) {
      throw new IllegalStateException("the contract has no schema for " + type.name());
    }
    if (type.format() == WireFormat.SPEC) {
      return item.path("properties").path("spec");
    }
    ObjectNode spec = JSON.objectNode().put("type", "object");
    ObjectNode properties = spec.putObject("properties");
    item.path("properties")
        .fields()
        .forEachRemaining(
            f -> {
              if (!METADATA_FIELDS.contains(f.getKey())) {
                properties.set(f.getKey(), f.getValue());
              }
            });
    return spec;
  }

  private static ObjectNode definition(ResourceType type, ObjectNode spec) {
    ObjectNode crd = JSON.objectNode();
    crd.put("apiVersion", "apiextensions.k8s.io/v1");
    crd.put("kind", "CustomResourceDefinition");
    crd.putObject("metadata").put("name", name(type));
    ObjectNode body = crd.putObject("spec");
    body.put("group", GROUP);
    body.put("scope", namespaced(type) ? "Namespaced" : "Cluster");
    ObjectNode names = body.putObject("names");
    names.put("kind", type.name());
    names.put("listKind", type.name() + "List");
    names.put("plural", type.path());
    names.put("singular", type.singularPath());
    names.putArray("categories").add("kuma");
    ObjectNode version = body.putArray("versions").addObject();
    version.put("name", VERSION);
    version.put("served", true);
    version.put("storage", true);
    ObjectNode root =
        version.putObject("schema").putObject("openAPIV3Schema").put("type", "object");
    ObjectNode fields = root.putObject("properties");
    fields.putObject("apiVersion").put("type", "string");
    fields.putObject("kind").put("type", "string");
    fields.putObject("metadata").put("type", "object");
    if (meshField(type)) {
      fields.putObject("mesh").put("type", "string");
    }
    fields.set("spec", spec);
    return crd;
  }
}
