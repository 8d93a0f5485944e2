package io.kodiak.cp.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.cp.testing.WriteCountingStore;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ResourceStore;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A mesh's builtin CA is created by the write of the Mesh (or at start), before the write returns.
 */
class MeshCaOnWriteTest {
  private static final String PLAIN =
      "{\"type\": \"Mesh\", \"name\": \"m\", \"skipCreatingInitialPolicies\": [\"*\"]}";
  private static final String BUILTIN =
      "{\"type\": \"Mesh\", \"name\": \"m\", \"skipCreatingInitialPolicies\": [\"*\"], "
          + "\"mtls\": {\"enabledBackend\": \"ca-1\", \"backends\": [{\"name\": \"ca-1\", \"type\": \"builtin\"}]}}";
  private final WriteCountingStore counting = new WriteCountingStore();
  private final ResourceStore store = counting.store();
  private final ResourceManager manager = new ResourceManager(store, new Validators());

  @Test
  void creatingAMeshWithBuiltinMtlsStoresItsCaBeforeThePutReturns() {
    manager.put(ResourceCatalog.MESH, "", "m", Documents.parse(BUILTIN), OptionalLong.empty());

    assertThat(secret("m.ca-builtin-cert-ca-1")).isPresent();
    assertThat(secret("m.ca-builtin-key-ca-1"))
        .get()
        .satisfies(
            key -> assertThat(key.meta().labels()).containsEntry(ResourceManager.MESH_LABEL, "m"));
  }

  @Test
  void enablingMtlsStoresTheCaBeforeTheMeshThatEnablesIt() {
    manager.put(ResourceCatalog.MESH, "", "m", Documents.parse(PLAIN), OptionalLong.empty());
    List<Boolean> caStoredWhenTheMeshChanged = new CopyOnWriteArrayList<>();
    store.addListener(
        change -> {
          if (change.resource().type() == ResourceCatalog.MESH
              && change.kind() == ChangeKind.UPDATED) {
            caStoredWhenTheMeshChanged.add(secret("m.ca-builtin-cert-ca-1").isPresent());
          }
        });

    manager.put(ResourceCatalog.MESH, "", "m", Documents.parse(BUILTIN), OptionalLong.empty());

    assertThat(caStoredWhenTheMeshChanged).containsExactly(true);
  }

  @Test
  void writingTheMeshAgainKeepsItsCa() {
    manager.put(ResourceCatalog.MESH, "", "m", Documents.parse(BUILTIN), OptionalLong.empty());
    String first = secret("m.ca-builtin-cert-ca-1").orElseThrow().spec().path("data").asText();

    manager.put(
        ResourceCatalog.MESH,
        "",
        "m",
        Documents.parse(
            BUILTIN.replace("\"builtin\"", "\"builtin\", " + "\"mode\": \"PERMISSIVE\"")),
        OptionalLong.empty());

    assertThat(secret("m.ca-builtin-cert-ca-1").orElseThrow().spec().path("data").asText())
        .isEqualTo(first);
  }

  @Test
  void halfACaIsNeverCompletedWithTheOtherHalfOfANewOne() {
    manager.put(ResourceCatalog.MESH, "", "m", Documents.parse(BUILTIN), OptionalLong.empty());
    String cert = secret("m.ca-builtin-cert-ca-1").orElseThrow().spec().path("data").asText();
    store.delete(ResourceKey.of(ResourceCatalog.SECRET, "m", "m.ca-builtin-key-ca-1"));

    manager.put(
        ResourceCatalog.MESH,
        "",
        "m",
        Documents.parse(BUILTIN.replace("\"builtin\"", "\"builtin\", \"mode\": \"PERMISSIVE\"")),
        OptionalLong.empty());
    manager.createMissingMeshCas();

    assertThat(secret("m.ca-builtin-key-ca-1"))
        .as("no key of another CA beside this certificate")
        .isEmpty();
    assertThat(secret("m.ca-builtin-cert-ca-1").orElseThrow().spec().path("data").asText())
        .isEqualTo(cert);
  }

  @Test
  void atStartAMeshStoredWithoutItsCaGetsOneOnce() {
    store.create(
        ResourceCodec.decode(Documents.parse(BUILTIN))); // stored before CAs were created on write

    manager.createMissingMeshCas();
    int writes = counting.writes();
    manager.createMissingMeshCas();

    assertThat(secret("m.ca-builtin-cert-ca-1")).isPresent();
    assertThat(secret("m.ca-builtin-key-ca-1")).isPresent();
    assertThat(counting.writes()).as("a second start writes nothing").isEqualTo(writes);
  }

  @Test
  void aSystemResourceAlreadyStoredIsKept() {
    manager.put(ResourceCatalog.MESH, "", "m", Documents.parse(PLAIN), OptionalLong.empty());
    Resource first = manager.createSystemResource(secretNamed("k", "Zmlyc3Q="), "test");

    Resource second = manager.createSystemResource(secretNamed("k", "c2Vjb25k"), "test");

    assertThat(second.spec()).isEqualTo(first.spec());
    assertThat(secret("k").orElseThrow().spec().path("data").asText()).isEqualTo("Zmlyc3Q=");
  }

  private Optional<Resource> secret(String name) {
    return store.get(ResourceKey.of(ResourceCatalog.SECRET, "m", name));
  }

  private static Resource secretNamed(String name, String data) {
    return ResourceCodec.decode(
        Documents.parse("type: Secret\nmesh: m\nname: " + name + "\ndata: " + data + "\n"));
  }
}
