package io.kodiak.cp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.cp.testing.RunningControlPlane;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy inspect endpoints over real HTTP: which rules a dataplane gets and which policy set
 * each value, its proxy-wide policies, and which dataplanes a policy selects.
 */
class PolicyInspectApiTest {
  @TempDir static Path dataDir;
  static RunningControlPlane cp;

  @BeforeAll
  static void start() {
    cp = RunningControlPlane.start(dataDir);
    put(
        "/meshes/inspect",
        "{\"type\":\"Mesh\",\"name\":\"inspect\",\"skipCreatingInitialPolicies\":[\"*\"]}");
    for (String name : List.of("web-1", "web-2", "api-1")) {
      String service = name.substring(0, name.indexOf('-'));
      put(
          "/meshes/inspect/dataplanes/" + name,
          "{\"type\":\"Dataplane\",\"mesh\":\"inspect\",\"name\":\""
              + name
              + "\",\"networking\":{\"address\":\"127.0.0.1\",\"inbound\":[{\"port\":2000"
              + name.charAt(name.length() - 1)
              + ",\"servicePort\":8080,\"tags\":{\"kuma.io/service\":\""
              + service
              + "\",\"kuma.io/protocol\":\"http\"}}],"
              + "\"outbound\":[{\"port\":10001,\"tags\":{\"kuma.io/service\":\"backend\"}}]}}");
    }
    put(
        "/meshes/inspect/meshtimeouts/wide",
        "{\"type\":\"MeshTimeout\",\"mesh\":\"inspect\",\"name\":\"wide\","
            + "\"spec\":{\"targetRef\":{\"kind\":\"Mesh\"},\"to\":[{\"targetRef\":{\"kind\":\"Mesh\"},"
            + "\"default\":{\"connectionTimeout\":\"3s\",\"http\":{\"requestTimeout\":\"10s\"}}}]}}");
    put(
        "/meshes/inspect/meshtimeouts/web-backend",
        "{\"type\":\"MeshTimeout\",\"mesh\":\"inspect\","
            + "\"name\":\"web-backend\",\"spec\":{\"targetRef\":{\"kind\":\"MeshService\",\"name\":\"web\"},"
            + "\"to\":[{\"targetRef\":{\"kind\":\"MeshService\",\"name\":\"backend\"},"
            + "\"default\":{\"http\":{\"requestTimeout\":\"2s\"}}}]}}");
    put(
        "/meshes/inspect/meshtimeouts/dry-run",
        "{\"type\":\"MeshTimeout\",\"mesh\":\"inspect\",\"name\":\"dry-run\","
            + "\"labels\":{\"kuma.io/effect\":\"shadow\"},\"spec\":{\"targetRef\":{\"kind\":\"Mesh\"},"
            + "\"to\":[{\"targetRef\":{\"kind\":\"Mesh\"},\"default\":{\"idleTimeout\":\"1m\"}}]}}");
    put(
        "/meshes/inspect/meshproxypatches/buffers",
        "{\"type\":\"MeshProxyPatch\",\"mesh\":\"inspect\","
            + "\"name\":\"buffers\",\"spec\":{\"targetRef\":{\"kind\":\"MeshService\",\"name\":\"api\"},\"default\":"
            + "{\"appendModifications\":[{\"cluster\":{\"operation\":\"Patch\",\"match\":{\"origin\":\"inbound\"},"
            + "\"value\":\"perConnectionBufferLimitBytes: 32768\"}}]}}}");
  }

  @AfterAll
  static void stop() {
    cp.close();
  }

  private static void put(String path, String body) {
    RunningControlPlane.Reply reply = cp.put(path, body);
    assertThat(reply.status()).as(reply.body()).isIn(200, 201);
  }

  @Test
  void rulesSayWhichPolicySetEachValue() {
    JsonNode rules = cp.get("/meshes/inspect/dataplanes/web-1/_rules").json();
    assertThat(rules.path("resource").path("name").asText()).isEqualTo("web-1");
    JsonNode timeout = only(rules.path("rules"), "MeshTimeout");
    JsonNode toBackend = timeout.path("toRules").get(0);
    assertThat(toBackend.path("matchers").get(0).path("value").asText()).isEqualTo("backend");
    assertThat(toBackend.path("conf").path("http").path("requestTimeout").asText()).isEqualTo("2s");
    assertThat(toBackend.path("conf").path("connectionTimeout").asText()).isEqualTo("3s");
    assertThat(toBackend.path("valueOrigins").path("http.requestTimeout").asText())
        .isEqualTo("web-backend");
    assertThat(toBackend.path("valueOrigins").path("connectionTimeout").asText()).isEqualTo("wide");
    assertThat(names(toBackend.path("origin"))).containsExactly("wide", "web-backend");
    assertThat(toBackend.path("conf").has("idleTimeout"))
        .as("shadow policies are left out")
        .isFalse();
  }

  @Test
  void shadowPoliciesShowWhenAskedFor() {
    JsonNode rules = cp.get("/meshes/inspect/dataplanes/web-1/_rules?shadow=true").json();
    JsonNode toBackend = only(rules.path("rules"), "MeshTimeout").path("toRules").get(0);
    assertThat(toBackend.path("conf").path("idleTimeout").asText()).isEqualTo("1m");
  }

  @Test
  void proxyWidePoliciesOfADataplane() {
    JsonNode api = cp.get("/meshes/inspect/dataplanes/api-1/_policies").json().path("policies");
    assertThat(api).hasSize(1);
    assertThat(api.get(0).path("kind").asText()).isEqualTo("MeshProxyPatch");
    assertThat(api.get(0).path("origins").get(0).path("kri").asText())
        .isEqualTo("kri_mpp_inspect___buffers_");
    assertThat(cp.get("/meshes/inspect/dataplanes/web-1/_policies").json().path("policies"))
        .isEmpty();
  }

  @Test
  void dataplanesAPolicySelects() {
    JsonNode selected =
        cp.get("/meshes/inspect/meshtimeouts/web-backend/_resources/dataplanes").json();
    assertThat(selected.path("total").asInt()).isEqualTo(2);
    assertThat(names(selected.path("items"))).containsExactly("web-1", "web-2");
    JsonNode page =
        cp.get("/meshes/inspect/meshtimeouts/wide/_resources/dataplanes?size=1&offset=1").json();
    assertThat(page.path("total").asInt()).isEqualTo(3);
    assertThat(names(page.path("items"))).containsExactly("web-1");
    assertThat(page.path("next").asText()).contains("offset=2");
    assertThat(cp.get("/meshes/inspect/meshtimeouts/nope/_resources/dataplanes").status())
        .isEqualTo(404);
    assertThat(cp.get("/meshes/inspect/meshtimeouts/wide/_resources/dataplanes?size=x").status())
        .isEqualTo(400);
  }

  @Test
  void unknownDataplaneIs404() {
    assertThat(cp.get("/meshes/inspect/dataplanes/nope/_rules").status()).isEqualTo(404);
  }

  private static JsonNode only(JsonNode rules, String type) {
    for (JsonNode rule : rules) {
      if (rule.path("type").asText().equals(type)) {
        return rule;
      }
    }
    throw new AssertionError("no " + type + " in " + rules);
  }

  private static List<String> names(JsonNode metas) {
    List<String> names = new ArrayList<>();
    metas.forEach(m -> names.add(m.path("name").asText()));
    return names;
  }
}
