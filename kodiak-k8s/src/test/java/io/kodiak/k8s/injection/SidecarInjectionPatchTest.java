package io.kodiak.k8s.injection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.codec.Documents;
import java.util.List;
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

  @Test
  void aMalformedPortAnnotationRefusesThePodNamingItAndItsValueEscaped() {
    assertThatThrownBy(
            () ->
                INJECTION.patch(
                    pod(false, Map.of("traffic.kuma.io/exclude-inbound-ports", "22,ssh\nFORGED")),
                    MESHED))
        .isInstanceOf(InjectionRefusedException.class)
        .hasMessage(
            "annotation traffic.kuma.io/exclude-inbound-ports: \"22,ssh\\nFORGED\" is not a"
                + " comma-separated list of ports (1-65535)");
    for (String value : List.of("0", "65536", "-1", "+80", "8 0", "")) {
      assertThatThrownBy(
              () ->
                  INJECTION.patch(
                      pod(false, Map.of("kuma.io/transparent-proxying-inbound-port", value)),
                      MESHED))
          .as("inbound redirect port %s", value)
          .isInstanceOf(InjectionRefusedException.class);
    }
    assertThat(
            INJECTION.patch(
                pod(false, Map.of("traffic.kuma.io/exclude-outbound-ports", "5432, 6379")), MESHED))
        .as("ports with spaces after the commas")
        .isPresent();
  }

  @Test
  void theApplicationsProbesGoToTheSidecarsProbePortWhichIsNotRedirected() {
    ObjectNode pod = (ObjectNode) pod(false);
    ObjectNode app = (ObjectNode) pod.path("spec").path("containers").get(0);
    app.set("ports", Documents.parse("[{\"name\": \"http\", \"containerPort\": 8080}]"));
    app.set(
        "readinessProbe",
        Documents.parse(
            """
            {"httpGet": {"path": "/healthz", "port": "http",
                         "httpHeaders": [{"name": "X-Probe", "value": "1"}]},
             "periodSeconds": 3}"""));
    app.set("livenessProbe", Documents.parse("{\"tcpSocket\": {\"port\": 8080}}"));
    app.set("startupProbe", Documents.parse("{\"exec\": {\"command\": [\"true\"]}}"));

    JsonNode patch = INJECTION.patch(pod, MESHED).orElseThrow();
    assertThat(operation(patch, "/spec/containers/0/readinessProbe"))
        .isEqualTo(
            Documents.parse(
                """
                {"periodSeconds": 3,
                 "httpGet": {"path": "/8080/healthz", "port": 9001, "scheme": "HTTP",
                             "httpHeaders": [{"name": "X-Probe", "value": "1"}]}}"""));
    assertThat(operation(patch, "/spec/containers/0/livenessProbe"))
        .isEqualTo(
            Documents.parse(
                "{\"httpGet\": {\"path\": \"/tcp/8080\", \"port\": 9001, \"scheme\":"
                    + " \"HTTP\"}}"));
    assertThat(operation(patch, "/spec/containers/0/startupProbe")).as("exec probe").isNull();
    assertThat(patch.toString())
        .contains(
            "--application-probe-proxy-port=9001",
            "--exclude-inbound-ports=9902,9001",
            "\"--application-probe=1:/8080/healthz\"",
            "\"--application-probe=1:/tcp/8080\"");
    app.set(
        "readinessProbe",
        Documents.parse("{\"httpGet\": {\"path\": \"/\", \"port\": 8080, \"host\": \"db\"}}"));
    assertThat(
            operation(
                INJECTION.patch(pod, MESHED).orElseThrow(), "/spec/containers/0/readinessProbe"))
        .as("a probe of another host")
        .isNull();

    pod.set(
        "metadata",
        Documents.parse(
            """
            {"name": "agent-1", "namespace": "shop",
             "annotations": {"kuma.io/application-probe-proxy-port": "0"}}"""));
    JsonNode off = INJECTION.patch(pod, MESHED).orElseThrow();
    assertThat(operation(off, "/spec/containers/0/readinessProbe")).as("turned off").isNull();
    assertThat(off.toString()).contains("--exclude-inbound-ports=9902\"");
  }

  /** The value a patch operation on {@code path} sets, or null when there is none. */
  private static JsonNode operation(JsonNode patch, String path) {
    for (JsonNode op : patch) {
      if (op.path("path").asText().equals(path)) {
        return op.get("value");
      }
    }
    return null;
  }

  private static JsonNode pod(boolean hostNetwork) {
    return pod(hostNetwork, Map.of());
  }

  private static JsonNode pod(boolean hostNetwork, Map<String, String> annotations) {
    ObjectNode pod =
        (ObjectNode)
            Documents.parse(
                """
                {"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": "agent-1", "namespace": "shop"},
                 "spec": {"hostNetwork": %s,
                          "containers": [{"name": "app", "image": "example/app:1"}]}}
                """
                    .formatted(hostNetwork));
    ((ObjectNode) pod.get("metadata")).set("annotations", Documents.JSON.valueToTree(annotations));
    return pod;
  }
}
