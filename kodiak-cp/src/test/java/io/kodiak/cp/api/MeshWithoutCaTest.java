package io.kodiak.cp.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.testing.TestResources;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mesh stored without its builtin CA (as by an older version): answering GETs about its proxies
 * creates no CA; the next start of the control plane does.
 */
class MeshWithoutCaTest {
  private static final ResourceKey CA_CERT =
      ResourceKey.of(ResourceCatalog.SECRET, "legacy", "legacy.ca-builtin-cert-ca-1");
  @TempDir Path dataDir;

  @Test
  void inspectingCreatesNoCaAndTheNextStartDoes() {
    try (RunningControlPlane cp = RunningControlPlane.start(dataDir)) {
      cp.controlPlane()
          .store()
          .create(
              TestResources.decode(
                  """
          type: Mesh
          name: legacy
          skipCreatingInitialPolicies: ["*"]
          mtls:
            enabledBackend: ca-1
            backends: [{name: ca-1, type: builtin}]
          """)); // past the ResourceManager on purpose: the state an older version left
      RunningControlPlane.Reply dataplane =
          cp.put(
              "/meshes/legacy/dataplanes/web-1",
              """
          {"type": "Dataplane", "mesh": "legacy", "name": "web-1", "networking": {"address": "127.0.0.1",
           "inbound": [{"port": 20001, "servicePort": 8080, "tags": {"kuma.io/service": "web"}}]}}
          """);
      assertThat(dataplane.status()).as(dataplane.body()).isEqualTo(201);

      for (String page : new String[] {"_rules", "_policies", "_config"}) {
        RunningControlPlane.Reply reply =
            cp.send("GET", "/meshes/legacy/dataplanes/web-1/" + page, null, cp.adminToken());
        assertThat(reply.status()).as(page + ": " + reply.body()).isEqualTo(200);
      }

      assertThat(cp.controlPlane().store().get(CA_CERT)).as("a GET created the CA").isEmpty();
    }
    try (RunningControlPlane restarted = RunningControlPlane.start(dataDir)) {
      assertThat(restarted.controlPlane().store().get(CA_CERT)).isPresent();
    }
  }
}
