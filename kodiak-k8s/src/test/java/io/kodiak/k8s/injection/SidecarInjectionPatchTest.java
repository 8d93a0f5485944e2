package io.kodiak.k8s.injection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.codec.Documents;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The injector's patch for one Pod, without an API server (SidecarInjectionTest has one). */
class SidecarInjectionPatchTest {
  private static final SidecarInjection INJECTION =
      new SidecarInjection(
          new SidecarSettings("kodiak/kodiak-dp:test", "https://cp:5678", "not read here"));
  private static final Map<String, String> MESHED = Map.of("kuma.io/sidecar-injection", "enabled");

  @Test
  void aPodOfAMeshedNamespaceGetsTheSidecarAndTheInitContainer() {
    String patch = INJECTION.patch(pod(false), MESHED).orElseThrow().toString();
    assertThat(patch).contains("\"kodiak-sidecar\"", "\"kodiak-init\"");
  }

  @Test
  void aPodOnTheHostsNetworkIsLeftAloneItsNatRulesWouldBeTheNodes() {
    assertThat(INJECTION.patch(pod(true), MESHED)).isEmpty();
  }

  private static JsonNode pod(boolean hostNetwork) {
    return Documents.parse(
        """
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "agent-1", "namespace": "shop"},
         "spec": {"hostNetwork": %s, "containers": [{"name": "app", "image": "example/app:1"}]}}
        """
            .formatted(hostNetwork));
  }
}
