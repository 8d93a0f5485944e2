package io.kodiak.model.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.catalog.ResourceCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rules of a structural schema the API server enforces, checked here so a violation names its
 * path (the API server test in kodiak-k8s applies them for real).
 */
class CustomResourceDefinitionsTest {
  private final List<ObjectNode> crds = CustomResourceDefinitions.all();

  @Test
  void oneDefinitionPerTypeButSecretInKumasGroup() {
    assertThat(crds).hasSize(ResourceCatalog.all().size() - 1);
    assertThat(crds)
        .extracting(c -> c.at("/metadata/name").asText())
        .contains("meshes.kuma.io", "dataplanes.kuma.io", "meshtimeouts.kuma.io")
        .doesNotContain("secrets.kuma.io");
    ObjectNode mesh = byKind("Mesh");
    assertThat(mesh.at("/spec/scope").asText()).isEqualTo("Cluster");
    assertThat(byKind("MeshTimeout").at("/spec/scope").asText()).isEqualTo("Namespaced");
  }

  @Test
  void dataplaneNamesItsMeshAtTheTopAndPoliciesDoNot() {
    JsonNode dataplane = byKind("Dataplane").at("/spec/versions/0/schema/openAPIV3Schema");
    assertThat(dataplane.at("/properties/mesh/type").asText()).isEqualTo("string");
    assertThat(dataplane.at("/properties/spec/properties/networking/type").asText())
        .isEqualTo("object");
    JsonNode timeout = byKind("MeshTimeout").at("/spec/versions/0/schema/openAPIV3Schema");
    assertThat(timeout.at("/properties/mesh").isMissingNode()).isTrue();
    assertThat(
            timeout.at("/properties/spec/properties/to/items/properties/targetRef/type").asText())
        .isEqualTo("object");
  }

  @Test
  void everySchemaIsStructural() {
    List<String> violations = new ArrayList<>();
    for (ObjectNode crd : crds) {
      check(
          crd.at("/spec/versions/0/schema/openAPIV3Schema"),
          crd.at("/spec/names/kind").asText(),
          violations);
    }
    assertThat(violations).isEmpty();
  }

  private static void check(JsonNode schema, String path, List<String> out) {
    for (String forbidden : List.of("$ref", "oneOf", "anyOf", "allOf", "not", "default")) {
      if (schema.has(forbidden)) {
        out.add(path + ": has " + forbidden);
      }
    }
    boolean free =
        schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()
            || schema.path("x-kubernetes-int-or-string").asBoolean();
    if (!schema.has("type") && !free) {
      out.add(path + ": no type");
    }
    if (schema.has("properties") && schema.has("additionalProperties")) {
      out.add(path + ": both properties and additionalProperties");
    }
    for (Map.Entry<String, JsonNode> field : schema.path("properties").properties()) {
      check(field.getValue(), path + "." + field.getKey(), out);
    }
    if (schema.has("items")) {
      check(schema.get("items"), path + "[]", out);
    }
    if (schema.path("additionalProperties").isObject()) {
      check(schema.get("additionalProperties"), path + "{}", out);
    }
  }

  private ObjectNode byKind(String kind) {
    return crds.stream()
        .filter(c -> c.at("/spec/names/kind").asText().equals(kind))
        .findFirst()
        .orElseThrow();
  }
}
