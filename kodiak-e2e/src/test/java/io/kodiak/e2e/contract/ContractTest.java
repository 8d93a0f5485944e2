package io.kodiak.e2e.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.cp.testing.RunningControlPlane.Reply;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.codec.Documents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every implemented path answers what the Kuma OpenAPI contract declares: for each resource type,
 * list, get, create, update and delete, plus the system endpoints and error answers.
 */
class ContractTest {
  private static final Path EXAMPLES = Path.of("../kodiak-cp/src/test/resources/examples");
  @TempDir static Path dataDir;
  static RunningControlPlane cp;
  static final OpenApiContract CONTRACT = new OpenApiContract();

  @BeforeAll
  static void start() {
    cp = RunningControlPlane.start(dataDir);
  }

  @AfterAll
  static void stop() {
    cp.close();
  }

  @Test
  void systemEndpoints() {
    expect("GET", "/", "/", 200, null);
    expect("GET", "/_resources", "/_resources", 200, null);
    expect("GET", "/meshes", "/meshes", 200, null);
    expect("GET", "/meshes/{name}", "/meshes/default", 200, null);
  }

  @Test
  void theCheckerCatchesAWrongShape() {
    var wrong = Documents.parse("{\"hostname\": 1, \"product\": \"x\"}");
    assertThat(CONTRACT.check("GET", "/", 200, "application/json", wrong))
        .anyMatch(m -> m.contains("hostname"))
        .anyMatch(m -> m.contains("version"));
    var badList =
        Documents.parse("{\"total\": \"many\", \"items\": [{\"type\": \"MeshTimeout\"}]}");
    assertThat(
            CONTRACT.check("GET", "/meshes/{mesh}/meshtimeouts", 200, "application/json", badList))
        .isNotEmpty();
  }

  @Test
  void errorAnswers() {
    expect("GET", "/meshes/{name}", "/meshes/nope", 404, null);
    expect("GET", "/meshes", "/meshes?size=5000", 400, null);
    expect(
        "PUT",
        "/meshes/{mesh}/meshtimeouts/{name}",
        "/meshes/default/meshtimeouts/bad",
        400,
        "{\"type\":\"MeshTimeout\",\"name\":\"bad\",\"mesh\":\"default\",\"spec\":{\"to\":[{\"targetRef\":{\"kind\":\"Mesh\"},"
            + "\"default\":{\"idleTimeout\":\"-1s\"}}]}}");
  }

  @TestFactory
  Stream<DynamicTest> everyResourceTypeFollowsTheContract() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : Files.list(EXAMPLES).sorted().toList()) {
      var doc = Documents.parse(Files.readString(file));
      ResourceType type = ResourceCatalog.byName(doc.path("type").asText()).orElseThrow();
      if (type == ResourceCatalog.MESH) {
        continue; // covered by meshLifecycle, whose example must not collide with 'default'
      }
      tests.add(
          DynamicTest.dynamicTest(
              file.getFileName().toString(),
              () -> lifecycle(type, doc.toString(), doc.path("name").asText())));
    }
    return tests.stream();
  }

  @Test
  void dataplaneOverviewsAndGeneratedConfig() {
    String dataplane =
        "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"overview-1\",\"networking\":"
            + "{\"address\":\"127.0.0.1\",\"inbound\":[{\"port\":21001,\"servicePort\":8080,"
            + "\"tags\":{\"kuma.io/service\":\"web\",\"kuma.io/protocol\":\"http\"}}]}}";
    expect(
        "PUT",
        "/meshes/{mesh}/dataplanes/{name}",
        "/meshes/default/dataplanes/overview-1",
        201,
        dataplane);
    expect(
        "GET",
        "/meshes/{mesh}/dataplanes/_overview",
        "/meshes/default/dataplanes/_overview",
        200,
        null);
    expect(
        "GET",
        "/meshes/{mesh}/dataplanes/{name}/_overview",
        "/meshes/default/dataplanes/overview-1/_overview",
        200,
        null);
    expect(
        "GET",
        "/meshes/{mesh}/dataplanes/{name}/_config",
        "/meshes/default/dataplanes/overview-1/_config",
        200,
        null);
    expect(
        "GET",
        "/meshes/{mesh}/{resourceType}/{resourceName}/_rules",
        "/meshes/default/dataplanes/overview-1/_rules",
        200,
        null);
    expect(
        "GET",
        "/meshes/{mesh}/dataplanes/{name}/_policies",
        "/meshes/default/dataplanes/overview-1/_policies",
        200,
        null);
    expect(
        "GET",
        "/meshes/{mesh}/{policyType}/{policyName}/_resources/dataplanes",
        "/meshes/default/meshtimeouts/mesh-timeout-all-default/_resources/dataplanes",
        200,
        null);
    expect(
        "DELETE",
        "/meshes/{mesh}/dataplanes/{name}",
        "/meshes/default/dataplanes/overview-1",
        200,
        null);
  }

  @Test
  void meshLifecycle() throws Exception {
    String body = Documents.parse(Files.readString(EXAMPLES.resolve("mesh.yaml"))).toString();
    expect("PUT", "/meshes/{name}", "/meshes/payments", 201, body);
    expect("PUT", "/meshes/{name}", "/meshes/payments", 200, body);
    expect("GET", "/meshes/{name}", "/meshes/payments", 200, null);
    expect("DELETE", "/meshes/{name}", "/meshes/payments", 200, null);
  }

  private void lifecycle(ResourceType type, String body, String name) {
    String template = "/meshes/{mesh}/" + type.path() + "/{name}";
    String path = "/meshes/default/" + type.path() + "/" + name;
    assertThat(CONTRACT.hasPath(template)).as(template).isTrue();
    expect("PUT", template, path, 201, body);
    expect("PUT", template, path, 200, body);
    expect("GET", template, path, 200, null);
    expect("GET", "/meshes/{mesh}/" + type.path(), "/meshes/default/" + type.path(), 200, null);
    expect("DELETE", template, path, 200, null);
    expect("GET", template, path, 404, null);
  }

  private void expect(String method, String template, String path, int status, String body) {
    Reply reply =
        method.equals("GET") && path.contains("/secrets")
            ? cp.send(method, path, body, cp.adminToken())
            : cp.send(method, path, body, method.equals("GET") ? null : cp.adminToken());
    assertThat(reply.status()).as(method + " " + path + ": " + reply.body()).isEqualTo(status);
    List<String> problems =
        CONTRACT.check(method, template, status, reply.contentType(), reply.json());
    assertThat(problems).as(method + " " + path + " -> " + status + "\n" + reply.body()).isEmpty();
  }
}
