package io.kodiak.k8s.store;

import static io.kodiak.model.testing.TestResources.mesh;
import static io.kodiak.model.testing.TestResources.timeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kodiak.k8s.testing.KodiakCrds;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.k8s.testing.KumaYaml;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.kubernetes.CustomResourceDefinitions;
import io.kodiak.model.testing.TestResources;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ResourceAlreadyExistsException;
import io.kodiak.store.api.ResourceChange;
import io.kodiak.store.api.ResourceConflictException;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.store.contract.ResourceStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract on the real API server, and what only a shared API server has: objects written
 * with kubectl are read and announced, once; names carry their namespace as in Kuma; a write by
 * someone else between a read and an update is a conflict.
 */
class KubernetesResourceStoreTest extends ResourceStoreContract {
  private static final String SYSTEM = "kodiak-system";
  private static KubeApiServer api;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    api = KubeApiServer.start();
    KodiakCrds.install(api);
    api.createNamespace(SYSTEM);
    api.createNamespace("kuma-demo");
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Override
  protected ResourceStore openEmptyStore() {
    var client = api.client();
    for (var type : CustomResourceDefinitions.types()) {
      var kind = client.genericKubernetesResources(CustomResources.context(type));
      if (CustomResourceDefinitions.namespaced(type)) {
        for (String namespace : List.of(SYSTEM, "kuma-demo")) {
          kind.inNamespace(namespace).delete();
        }
      } else {
        kind.delete();
      }
    }
    client
        .secrets()
        .inNamespace(SYSTEM)
        .withField("type", CustomResourceDefinitions.SECRET_TYPE)
        .delete();
    client.configMaps().inNamespace(SYSTEM).withName("kodiak-store-settings").delete();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                client
                    .genericKubernetesResources(CustomResources.context(ResourceCatalog.MESH))
                    .list()
                    .getItems()
                    .isEmpty());
    return new KubernetesResourceStore(client, SYSTEM, clock);
  }

  @Override
  protected boolean namesArePerMesh() {
    return false; // one name per namespace, as in Kuma on Kubernetes
  }

  @Override
  protected boolean versionsCountFromOne() {
    return false; // resourceVersion: one counter for the whole API server
  }

  @Test
  void replicasStartingTogetherAgreeOnASettingIfAbsent() throws Exception {
    try (var otherClient = api.clientFor(api.adminToken());
        var other = new KubernetesResourceStore(otherClient, SYSTEM, clock)) {
      List<ResourceStore> replicas = List.of(store, other);
      var gate = new java.util.concurrent.CountDownLatch(1);
      var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
      List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        ResourceStore replica = replicas.get(i % 2);
        String mine = "id-" + i;
        answers.add(
            pool.submit(
                () -> {
                  gate.await();
                  return replica.settingIfAbsent("cluster-id", mine);
                }));
      }
      gate.countDown();
      java.util.Set<String> agreed = new java.util.HashSet<>();
      for (var answer : answers) {
        agreed.add(answer.get(30, java.util.concurrent.TimeUnit.SECONDS));
      }
      pool.shutdown();
      assertThat(agreed).hasSize(1);
      assertThat(store.setting("cluster-id")).contains(agreed.iterator().next());
    }
  }

  @Test
  void whatKubectlAppliesIsReadAndAnnouncedOnce() throws Exception {
    List<ResourceChange> seen = new CopyOnWriteArrayList<>();
    store.addListener(seen::add);
    store.create(mesh("default"));
    Path file = dir.resolve("dataplane.yaml");
    Files.writeString(
        file,
        """
        apiVersion: kuma.io/v1alpha1
        kind: Dataplane
        mesh: default
        metadata:
          name: web-01
          namespace: kuma-demo
        spec:
          networking:
            address: 127.0.0.5
            inbound:
              - port: 8080
                tags:
                  kuma.io/service: web_kuma-demo_svc_8080
        """);
    api.kubectl("apply", "-f", file.toString());
    ResourceKey key = ResourceKey.of(ResourceCatalog.DATAPLANE, "default", "web-01.kuma-demo");
    await().atMost(Duration.ofSeconds(10)).until(() -> store.get(key).isPresent());
    Resource dataplane = store.get(key).orElseThrow();
    assertThat(dataplane.spec().at("/networking/address").asText()).isEqualTo("127.0.0.5");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> seen.stream().anyMatch(c -> c.resource().key().equals(key)));
    // announced once: the count holds while a second announcement would have had time to come
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> seen.size() == 2);
    assertThat(seen)
        .extracting(c -> c.kind() + " " + c.resource().key())
        .containsExactly("CREATED Mesh/default", "CREATED Dataplane/default/web-01.kuma-demo");

    api.kubectl("delete", "dataplane", "web-01", "-n", "kuma-demo");
    await().atMost(Duration.ofSeconds(10)).until(() -> store.get(key).isEmpty());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> seen.get(seen.size() - 1).kind() == ChangeKind.DELETED);
  }

  @Test
  void aWriteByAnotherClientBetweenReadAndUpdateIsAConflict() {
    store.create(mesh("demo"));
    Resource read = store.create(timeout("demo", "t1", "1s"));
    api.kubectl("label", "meshtimeout", "t1", "-n", SYSTEM, "changed=elsewhere");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> store.get(read.key()).orElseThrow().meta().labels().containsKey("changed"));
    assertThatThrownBy(() -> store.update(timeout("demo", "t1", "2s"), read.meta().version()))
        .isInstanceOf(ResourceConflictException.class);
  }

  @Test
  void aNameIsUniqueInItsNamespaceWhateverTheMesh() {
    store.create(mesh("demo"));
    store.create(mesh("other"));
    store.create(timeout("demo", "t1", "1s"));
    assertThatThrownBy(() -> store.create(timeout("other", "t1", "1s")))
        .isInstanceOf(ResourceAlreadyExistsException.class);
    assertThat(store.get(ResourceKey.of(ResourceCatalog.MESH_TIMEOUT, "other", "t1"))).isEmpty();
  }

  @Test
  void dottedNamesReadBackToTheSameObject() {
    store.create(mesh("default"));
    Resource secret =
        store.create(
            TestResources.decode(
                "type: Secret\nmesh: default\nname: default.ca-builtin-cert-ca-1\ndata: c2VjcmV0\n"));
    assertThat(
            api.client()
                .secrets()
                .inNamespace(SYSTEM)
                .withName("default.ca-builtin-cert-ca-1")
                .get())
        .isNotNull();
    assertThat(store.get(secret.key())).contains(secret);
    store.delete(secret.key());
    assertThat(store.get(secret.key())).isEmpty();

    Resource policy = store.create(timeout("default", "web.v2." + SYSTEM, "1s"));
    assertThat(
            api.client()
                .genericKubernetesResources(CustomResources.context(ResourceCatalog.MESH_TIMEOUT))
                .inNamespace(SYSTEM)
                .withName("web.v2")
                .get())
        .isNotNull();
    assertThat(store.get(policy.key())).contains(policy);
    assertThat(
            store
                .update(timeout("default", "web.v2." + SYSTEM, "3s"), policy.meta().version())
                .spec()
                .at("/to/0/default/idleTimeout")
                .asText())
        .isEqualTo("3s");
  }

  @Test
  void anUpdateKeepsWhatOtherToolsPutOnTheObject() throws Exception {
    store.create(mesh("default"));
    Path file = dir.resolve("timeout.yaml");
    Files.writeString(file, KumaYaml.meshTimeout("applied", SYSTEM, "idleTimeout: 1s"));
    api.kubectl("apply", "-f", file.toString());
    ResourceKey key = ResourceKey.of(ResourceCatalog.MESH_TIMEOUT, "default", "applied");
    await().atMost(Duration.ofSeconds(10)).until(() -> store.get(key).isPresent());
    store.update(
        timeout("default", "applied", "5s"), store.get(key).orElseThrow().meta().version());
    var object =
        api.client()
            .genericKubernetesResources(CustomResources.context(ResourceCatalog.MESH_TIMEOUT))
            .inNamespace(SYSTEM)
            .withName("applied")
            .get();
    assertThat(object.getMetadata().getAnnotations())
        .containsKey("kubectl.kubernetes.io/last-applied-configuration");
  }

  @Test
  void aPolicyMovedToAnotherMeshWithKubectlLeavesTheFirst() {
    List<ResourceChange> seen = new CopyOnWriteArrayList<>();
    store.create(mesh("demo"));
    store.create(mesh("other"));
    Resource policy = store.create(timeout("demo", "mover", "1s"));
    assertThat(
            api.client()
                .genericKubernetesResources(CustomResources.context(ResourceCatalog.MESH_TIMEOUT))
                .inNamespace(SYSTEM)
                .withName("mover")
                .get()
                .getMetadata()
                .getOwnerReferences())
        .singleElement()
        .satisfies(owner -> assertThat(owner.getName()).isEqualTo("demo"));
    store.addListener(seen::add);
    api.kubectl("label", "--overwrite", "meshtimeout", "mover", "-n", SYSTEM, "kuma.io/mesh=other");
    ResourceKey moved = ResourceKey.of(ResourceCatalog.MESH_TIMEOUT, "other", "mover");
    await().atMost(Duration.ofSeconds(10)).until(() -> store.get(moved).isPresent());
    assertThat(store.get(policy.key())).isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= 2);
    assertThat(seen)
        .extracting(c -> c.kind() + " " + c.resource().key())
        .containsExactly("DELETED MeshTimeout/demo/mover", "CREATED MeshTimeout/other/mover");
  }

  @Test
  void aSecretIsAKubernetesSecretOfKumasType() {
    store.create(mesh("demo"));
    Resource secret =
        store.create(
            TestResources.decode("type: Secret\nmesh: demo\nname: token-key\ndata: c2VjcmV0\n"));
    var stored = api.client().secrets().inNamespace(SYSTEM).withName("token-key").get();
    assertThat(stored.getType()).isEqualTo("system.kuma.io/secret");
    assertThat(stored.getMetadata().getLabels()).containsEntry("kuma.io/mesh", "demo");
    assertThat(stored.getData()).containsEntry("value", "c2VjcmV0");
    assertThat(store.get(secret.key())).contains(secret);
  }
}
