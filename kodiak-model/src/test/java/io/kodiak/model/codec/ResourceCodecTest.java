package io.kodiak.model.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.ValidationException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceCodecTest {
  @Test
  void legacyTypesKeepTheirFieldsAtTheTopLevel() {
    Resource mesh =
        ResourceCodec.decode(Documents.parse("type: Mesh\nname: m\nmtls: {enabledBackend: ''}\n"));
    assertThat(mesh.type()).isEqualTo(ResourceCatalog.MESH);
    assertThat(mesh.mesh()).isEmpty();
    assertThat(mesh.spec().has("mtls")).isTrue();
    assertThat(mesh.spec().has("name")).isFalse();
    JsonNode encoded = ResourceCodec.encode(mesh);
    assertThat(fieldNames(encoded)).containsExactly("type", "name", "labels", "mtls");
  }

  @Test
  void policiesKeepTheirFieldsUnderSpecAndDefaultToMeshDefault() {
    Resource policy =
        ResourceCodec.decode(
            Documents.parse(
                "type: MeshRetry\nname: r\nspec: {to: [{targetRef: {kind: Mesh}, default: {}}]}\n"));
    assertThat(policy.mesh()).isEqualTo("default");
    assertThat(fieldNames(ResourceCodec.encode(policy)))
        .containsExactly("type", "mesh", "name", "labels", "spec");
  }

  @Test
  void readOnlyFieldsAndNullsAreIgnoredOnInput() {
    Resource mesh =
        ResourceCodec.decode(
            Documents.parse(
                "{\"type\":\"Mesh\",\"name\":\"m\",\"creationTime\":\"x\",\"kri\":\"y\",\"mtls\":null}"));
    assertThat(mesh.spec().size()).isZero();
  }

  @Test
  void notAResourceAtAllIsOneClearViolation() {
    assertThatThrownBy(() -> ResourceCodec.decode(Documents.parse("[1, 2]")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("must be an object, not an array");
    assertThatThrownBy(() -> Documents.parse("a: [1,\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("invalid YAML");
    assertThatThrownBy(() -> Documents.parse("{\"a\": 1, \"a\": 2}"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("Duplicate field 'a'");
  }

  @Test
  void aMeshMayNotNameAMesh() {
    assertThatThrownBy(
            () -> ResourceCodec.decode(Documents.parse("type: Mesh\nname: m\nmesh: other\n")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("mesh:");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
