package io.kodiak.cp.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.testing.TestResources;
import io.kodiak.store.memory.InMemoryResourceStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mTLS phases move on Mesh changes and on their own timers; readers only read them. */
class MtlsPhasesTest {
  private static final Duration GRACE = Duration.ofMillis(500);
  private final InMemoryResourceStore store = new InMemoryResourceStore(Clock.systemUTC());
  private MtlsPhases phases;

  /**
   * The phase each timer left, seen from its regeneration request (on the timer thread, before the
   * next timer).
   */
  private final List<String> refreshes = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    phases.close();
  }

  @Test
  void turningMtlsOnMovesServersFirstThenClientsThenTheMode() {
    store.create(TestResources.decode(mesh("")));
    start();
    List<MtlsPhases.Enabling> atTheChange = new CopyOnWriteArrayList<>();
    store.addListener(
        change -> atTheChange.add(phases.enabling("m"))); // after the phases' own listener

    update(mesh("ca-1"));

    assertThat(atTheChange).containsExactly(MtlsPhases.Enabling.SERVERS_FIRST);
    await().atMost(Duration.ofSeconds(10)).until(() -> refreshes.size() == 2);
    assertThat(refreshes).containsExactly("m CLIENTS_SWITCHED", "m DONE");
  }

  @Test
  void aMeshFoundAtStartOrCreatedWithMtlsHasNoPhase() {
    store.create(TestResources.decode(mesh("ca-1")));
    start();
    store.create(TestResources.decode(mesh("ca-1").replace("name: m", "name: n")));

    assertThat(phases.enabling("m")).isEqualTo(MtlsPhases.Enabling.DONE);
    assertThat(phases.enabling("n")).isEqualTo(MtlsPhases.Enabling.DONE);
    await().during(GRACE.multipliedBy(3)).atMost(GRACE.multipliedBy(6)).until(refreshes::isEmpty);
  }

  @Test
  void switchingTheEnabledBackendOpensOneRotationGrace() {
    store.create(TestResources.decode(mesh("ca-1")));
    start();
    List<Boolean> graceAtTheChange = new CopyOnWriteArrayList<>();
    store.addListener(change -> graceAtTheChange.add(phases.inRotationGrace("m")));

    update(mesh("ca-2"));

    assertThat(graceAtTheChange).containsExactly(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> refreshes.size() == 1);
    assertThat(phases.inRotationGrace("m")).isFalse();
    assertThat(phases.enabling("m")).isEqualTo(MtlsPhases.Enabling.DONE);
  }

  @Test
  void theEnabledCaWrittenAnewWithoutAMeshChangeOpensARotationGrace() {
    store.create(TestResources.decode(mesh("ca-1")));
    start();

    store.create(
        TestResources.decode(
            "type: Secret\nmesh: m\nname: m.ca-builtin-cert-ca-2\ndata: YQ==\n")); // not the
    // enabled CA
    assertThat(phases.inRotationGrace("m")).isFalse();
    store.create(
        TestResources.decode("type: Secret\nmesh: m\nname: m.ca-builtin-cert-ca-1\ndata: YQ==\n"));

    assertThat(phases.inRotationGrace("m")).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> !phases.inRotationGrace("m"));
  }

  @Test
  void turningMtlsOffEndsThePhaseAndItsTimers() {
    store.create(TestResources.decode(mesh("")));
    start();
    update(mesh("ca-1"));

    update(mesh(""));

    assertThat(phases.enabling("m")).isEqualTo(MtlsPhases.Enabling.DONE);
    await().during(GRACE.multipliedBy(3)).atMost(GRACE.multipliedBy(6)).until(refreshes::isEmpty);
  }

  private void start() {
    phases = new MtlsPhases(store, GRACE);
    phases.onPhaseChange(mesh -> refreshes.add(mesh + " " + phases.enabling(mesh)));
  }

  private void update(String yaml) {
    var stored = store.get(ResourceKey.of(ResourceCatalog.MESH, "", "m")).orElseThrow();
    store.update(TestResources.decode(yaml), stored.meta().version());
  }

  private static String mesh(String enabled) {
    return """
        type: Mesh
        name: m
        mtls:
          enabledBackend: "%s"
          backends: [{name: ca-1, type: builtin}, {name: ca-2, type: builtin}]
        """
        .formatted(enabled);
  }
}
