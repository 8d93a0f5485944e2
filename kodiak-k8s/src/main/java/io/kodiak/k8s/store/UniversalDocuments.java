package io.kodiak.k8s.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.catalog.WireFormat;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.kubernetes.CustomResourceDefinitions;
import io.kodiak.model.validation.ValidationException;
import java.util.Optional;

/**
 * A Kuma custom resource as the Universal document Kodiak's validators read ({@code type, mesh,
 * name, labels} and the spec), and a violation's path back in the object's own terms ({@code
 * networking.inbound[0]} of a Dataplane is {@code spec.networking.inbound[0]} on Kubernetes), so
 * the admission webhook checks exactly what the REST API checks. Stateless.
 */
public final class UniversalDocuments {
  private final KubernetesNames names;

  public UniversalDocuments(String systemNamespace) {
    this.names = new KubernetesNames(systemNamespace);
  }

  /** The type a custom resource's kind names, if Kodiak serves it. */
  public static Optional<ResourceType> type(JsonNode object) {
    return ResourceCatalog.byName(object.path("kind").asText())
        .filter(t -> CustomResourceDefinitions.types().contains(t));
  }

  /**
   * @throws ValidationException when the kind is not one of Kodiak's
   */
  public ObjectNode of(JsonNode object) {
    ResourceType type =
        type(object)
            .orElseThrow(
                () ->
                    ValidationException.of(
                        "kind", "Kodiak serves no kind " + object.path("kind").asText()));
    JsonNode meta = object.path("metadata");
    String namespace = meta.path("namespace").asText(null);
    String name =
        CustomResourceDefinitions.namespaced(type)
            ? names.resourceName(meta.path("name").asText(), namespace)
            : meta.path("name").asText();
    ObjectNode out = Documents.JSON.createObjectNode();
    out.put("type", type.name());
    if (type.isMeshScoped()) {
      String mesh =
          CustomResourceDefinitions.meshField(type) && object.hasNonNull("mesh")
              ? object.path("mesh").asText()
              : meta.path("labels").path(CustomResources.MESH_LABEL).asText("default");
      out.put("mesh", mesh);
    }
    out.put("name", name);
    ObjectNode labels = out.putObject("labels");
    meta.path("labels")
        .fields()
        .forEachRemaining(
            l -> {
              if (!l.getKey().equals(CustomResources.MESH_LABEL)) {
                labels.set(l.getKey(), l.getValue());
              }
            });
    JsonNode spec = object.path("spec");
    if (type.format() == WireFormat.SPEC) {
      out.set("spec", spec.isMissingNode() ? Documents.JSON.createObjectNode() : spec.deepCopy());
    } else if (spec.isObject()) {
      spec.fields().forEachRemaining(f -> out.set(f.getKey(), f.getValue().deepCopy()));
    }
    return out;
  }

  /** A violation's field in the custom resource: a legacy type's fields live under spec. */
  public static String objectPath(ResourceType type, String universalPath) {
    if (type.format() == WireFormat.SPEC || universalPath.isEmpty()) {
      return universalPath;
    }
    String first = universalPath.split("[.\\[]", 2)[0];
    return switch (first) {
      case "type", "name", "mesh", "labels" -> universalPath;
      default -> "spec." + universalPath;
    };
  }
}
