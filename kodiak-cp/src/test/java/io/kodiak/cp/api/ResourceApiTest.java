package io.kodiak.cp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.cp.testing.RunningControlPlane.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API over real HTTP against one control plane started for this class; each test works on
 * names (or meshes) of its own.
 */
class ResourceApiTest {
  @TempDir static Path dataDir;
  static RunningControlPlane cp;

  @BeforeAll
  static void start() {
    cp = RunningControlPlane.start(dataDir);
  }

  @AfterAll
  static void stop() {
    cp.close();
  }

  static String timeout(String mesh, String name, String idle) {
    return """
        {"type": "MeshTimeout", "mesh": "%s", "name": "%s", "labels": {"team": "core"},
         "spec": {"targetRef": {"kind": "Mesh"},
                  "to": [{"targetRef": {"kind": "Mesh"}, "default": {"idleTimeout": "%s"}}]}}
        """
        .formatted(mesh, name, idle);
  }

  @Test
  void indexDescribesTheServer() {
    JsonNode index = cp.get("/").json();
    assertThat(index.path("product").asText()).isEqualTo("Kodiak");
    for (String field : List.of("hostname", "version", "instanceId", "clusterId", "gui")) {
      assertThat(index.path(field).asText()).as(field).isNotEmpty();
    }
  }

  @Test
  void resourceTypesListEveryType() {
    JsonNode types = cp.get("/_resources").json().path("resources");
    List<String> paths = new ArrayList<>();
    types.forEach(t -> paths.add(t.path("path").asText()));
    assertThat(paths)
        .contains(
            "meshes",
            "dataplanes",
            "secrets",
            "meshtrafficpermissions",
            "meshtimeouts",
            "meshretries",
            "meshcircuitbreakers",
            "meshhealthchecks",
            "meshhttproutes",
            "meshtcproutes",
            "meshloadbalancingstrategies",
            "meshfaultinjections",
            "meshratelimits",
            "meshaccesslogs",
            "meshtraces",
            "meshmetrics",
            "meshtlses",
            "meshproxypatches");
  }

  @Test
  void firstStartCreatesTheDefaultMeshAndItsPolicies() {
    assertThat(cp.get("/meshes/default").status()).isEqualTo(200);
    assertThat(cp.get("/meshes/default/meshtimeouts/mesh-timeout-all-default").status())
        .isEqualTo(200);
    assertThat(
            cp.get("/meshes/default/meshcircuitbreakers/mesh-circuit-breaker-all-default").status())
        .isEqualTo(200);
    JsonNode retry = cp.get("/meshes/default/meshretries/mesh-retry-all-default").json();
    assertThat(retry.at("/spec/to/0/default/http/numRetries").asInt()).isEqualTo(5);
  }

  @Test
  void putCreatesThenUpdates() {
    Reply created = cp.put("/meshes/default/meshtimeouts/t1", timeout("default", "t1", "10s"));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().path("warnings").isArray()).isTrue();
    JsonNode first = cp.get("/meshes/default/meshtimeouts/t1").json();
    Reply updated = cp.put("/meshes/default/meshtimeouts/t1", timeout("default", "t1", "20s"));
    assertThat(updated.status()).isEqualTo(200);
    JsonNode second = cp.get("/meshes/default/meshtimeouts/t1").json();
    assertThat(second.at("/spec/to/0/default/idleTimeout").asText()).isEqualTo("20s");
    assertThat(second.path("creationTime")).isEqualTo(first.path("creationTime"));
    assertThat(second.path("labels").path("team").asText()).isEqualTo("core");
    assertThat(second.path("labels").path("kuma.io/mesh").asText()).isEqualTo("default");
  }

  @Test
  void invalidResourceReportsEveryViolationAndStoresNothing() {
    String body =
        """
        {"type": "MeshTimeout", "name": "bad", "mesh": "default",
         "spec": {"to": [{"targetRef": {"kind": "Mesh", "name": "x"},
                          "default": {"idleTimeout": "-1s", "connectionTimeout": "soon", "unknown": 1}}]}}
        """;
    Reply reply = cp.put("/meshes/default/meshtimeouts/bad", body);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.contentType()).startsWith("application/problem+json");
    JsonNode error = reply.json();
    assertThat(error.path("status").asInt()).isEqualTo(400);
    assertThat(error.path("title").asText()).isNotEmpty();
    List<String> fields = new ArrayList<>();
    error.path("invalid_parameters").forEach(p -> fields.add(p.path("field").asText()));
    assertThat(fields)
        .containsExactlyInAnyOrder(
            "spec.to[0].targetRef.name",
            "spec.to[0].default.idleTimeout",
            "spec.to[0].default.connectionTimeout",
            "spec.to[0].default.unknown");
    assertThat(cp.get("/meshes/default/meshtimeouts/bad").status()).isEqualTo(404);
  }

  @Test
  void invalidNamesAreRefused() {
    Reply reply =
        cp.put("/meshes/default/meshtimeouts/Bad_Name", timeout("default", "Bad_Name", "1s"));
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().at("/invalid_parameters/0/field").asText()).isEqualTo("name");
    assertThat(reply.json().at("/invalid_parameters/0/reason").asText())
        .contains("invalid name \"Bad_Name\"");
  }

  @Test
  void bodyMustAgreeWithThePath() {
    Reply reply = cp.put("/meshes/default/meshtimeouts/a", timeout("other", "b", "1s"));
    assertThat(reply.status()).isEqualTo(400);
    List<String> fields = new ArrayList<>();
    reply.json().path("invalid_parameters").forEach(p -> fields.add(p.path("field").asText()));
    assertThat(fields).containsExactlyInAnyOrder("name", "mesh");
  }

  @Test
  void aResourceInAMissingMeshIsRefused() {
    Reply reply = cp.put("/meshes/nope/meshtimeouts/t", timeout("nope", "t", "1s"));
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.body()).contains("mesh \\\"nope\\\" does not exist");
  }

  @Test
  void malformedJsonAndUnknownTypesAreClearErrors() {
    Reply malformed = cp.put("/meshes/default/meshtimeouts/x", "{\"type\": ");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.body()).contains("invalid JSON at line 1");
    Reply unknownPath = cp.get("/meshes/default/meshwidgets");
    assertThat(unknownPath.status()).isEqualTo(404);
    assertThat(unknownPath.body()).contains("unknown resource type");
    Reply wrongType =
        cp.put("/meshes/default/meshtimeouts/x", "{\"type\": \"MeshRetry\", \"spec\": {}}");
    assertThat(wrongType.status()).isEqualTo(400);
  }

  @Test
  void listsPageFilterAndLinkTheNextPage() {
    cp.put(
        "/meshes/paging",
        "{\"type\": \"Mesh\", \"name\": \"paging\", \"skipCreatingInitialPolicies\": [\"*\"]}");
    for (int i = 0; i < 5; i++) {
      cp.put("/meshes/paging/meshtimeouts/page-" + i, timeout("paging", "page-" + i, "1s"));
    }
    JsonNode page = cp.get("/meshes/paging/meshtimeouts?name=page-&size=2&offset=1").json();
    assertThat(page.path("total").asInt()).isEqualTo(5);
    assertThat(page.path("items")).hasSize(2);
    assertThat(page.path("items").get(0).path("name").asText()).isEqualTo("page-1");
    assertThat(page.path("next").asText())
        .contains("offset=3")
        .contains("size=2")
        .contains("name=page-");
    JsonNode last = cp.get("/meshes/paging/meshtimeouts?name=page-&size=2&offset=4").json();
    assertThat(last.has("next")).isFalse();
    JsonNode labelled = cp.get("/meshes/paging/meshtimeouts?filter%5Blabels.team%5D=core").json();
    assertThat(labelled.path("total").asInt()).isEqualTo(5);
  }

  @Test
  void pageSizeIsBounded() {
    Reply tooBig = cp.get("/meshes?size=1001");
    assertThat(tooBig.status()).isEqualTo(400);
    assertThat(tooBig.json().at("/invalid_parameters/0/field").asText()).isEqualTo("size");
    assertThat(tooBig.json().at("/invalid_parameters/0/source").asText()).isEqualTo("query");
    assertThat(cp.get("/meshes?size=ten").status()).isEqualTo(400);
  }

  @Test
  void newMeshesGetInitialPoliciesUnlessSkipped() {
    assertThat(cp.put("/meshes/all", "{\"type\": \"Mesh\", \"name\": \"all\"}").status())
        .isEqualTo(201);
    assertThat(cp.get("/meshes/all/meshtimeouts").json().path("total").asInt()).isEqualTo(1);
    cp.put(
        "/meshes/some",
        "{\"type\": \"Mesh\", \"name\": \"some\", \"skipCreatingInitialPolicies\": [\"MeshRetry\"]}");
    assertThat(cp.get("/meshes/some/meshretries").json().path("total").asInt()).isZero();
    assertThat(cp.get("/meshes/some/meshcircuitbreakers").json().path("total").asInt())
        .isEqualTo(1);
    cp.put(
        "/meshes/none",
        "{\"type\": \"Mesh\", \"name\": \"none\", \"skipCreatingInitialPolicies\": [\"*\"]}");
    assertThat(cp.get("/meshes/none/meshtimeouts").json().path("total").asInt()).isZero();
  }

  @Test
  void deletingAMeshDeletesEverythingInIt() {
    cp.put("/meshes/gone", "{\"type\": \"Mesh\", \"name\": \"gone\"}");
    cp.put("/meshes/gone/meshtimeouts/t", timeout("gone", "t", "1s"));
    Reply deleted = cp.delete("/meshes/gone");
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(cp.get("/meshes/gone").status()).isEqualTo(404);
    assertThat(cp.get("/meshes/gone/meshtimeouts/t").status()).isEqualTo(404);
    assertThat(cp.delete("/meshes/gone").status()).isEqualTo(404);
  }

  @Test
  void staleIfMatchIsAConflict() {
    cp.put("/meshes/default/meshtimeouts/t", timeout("default", "t", "1s"));
    cp.put("/meshes/default/meshtimeouts/t", timeout("default", "t", "2s"));
    Reply stale =
        cp.send(
            "PUT",
            "/meshes/default/meshtimeouts/t",
            timeout("default", "t", "3s"),
            cp.adminToken());
    assertThat(stale.status()).isEqualTo(200);
    var req =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(cp.url() + "/meshes/default/meshtimeouts/t"))
            .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(timeout("default", "t", "4s")))
            .header("Authorization", "Bearer " + cp.adminToken())
            .header("If-Match", "1")
            .build();
    int status = send(req);
    assertThat(status).isEqualTo(409);
    assertThat(
            cp.get("/meshes/default/meshtimeouts/t")
                .json()
                .at("/spec/to/0/default/idleTimeout")
                .asText())
        .isEqualTo("3s");
  }

  @Test
  void oversizedBodiesAreRefused() {
    String huge =
        "{\"type\": \"Mesh\", \"name\": \"big\", \"labels\": {\"x\": \""
            + "a".repeat(1_100_000)
            + "\"}}";
    Reply reply = cp.put("/meshes/big", huge);
    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.json().path("status").asInt()).isEqualTo(413);
    assertThat(cp.get("/meshes/big").status()).isEqualTo(404);
  }

  @Test
  void writesAndSecretReadsNeedTheAdminToken() {
    Reply anonymous = cp.send("PUT", "/meshes/x", "{\"type\": \"Mesh\", \"name\": \"x\"}", null);
    assertThat(anonymous.status()).isEqualTo(401);
    Reply wrong =
        cp.send("PUT", "/meshes/x", "{\"type\": \"Mesh\", \"name\": \"x\"}", "not-the-token");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(cp.get("/meshes/x").status()).isEqualTo(404);
    assertThat(cp.send("DELETE", "/meshes/default", null, null).status()).isEqualTo(401);

    assertThat(
            cp.put(
                    "/meshes/default/secrets/s1",
                    "{\"type\": \"Secret\", \"name\": \"s1\", \"mesh\": \"default\", \"data\": \"c2VjcmV0\"}")
                .status())
        .isEqualTo(201);
    assertThat(cp.get("/meshes/default/secrets/s1").status()).isEqualTo(401);
    assertThat(cp.get("/meshes/default/secrets").status()).isEqualTo(401);
    assertThat(
            cp.send("GET", "/meshes/default/secrets/s1", null, cp.adminToken())
                .json()
                .path("data")
                .asText())
        .isEqualTo("c2VjcmV0");
    assertThat(cp.get("/meshes/default").status()).isEqualTo(200);
  }

  @Test
  void noCorsHeadersAreSent() {
    var req =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(cp.url() + "/meshes"))
            .header("Origin", "https://evil.example")
            .GET()
            .build();
    try {
      var res =
          java.net.http.HttpClient.newHttpClient()
              .send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(res.headers().firstValue("access-control-allow-origin")).isEmpty();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void adminTokenFileIsPrivate() throws Exception {
    var perms = java.nio.file.Files.getPosixFilePermissions(dataDir.resolve("admin-token"));
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(perms)).isEqualTo("rw-------");
    var dirPerms = java.nio.file.Files.getPosixFilePermissions(dataDir);
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(dirPerms))
        .isEqualTo("rwx------");
  }

  private static int send(java.net.http.HttpRequest req) {
    try {
      return java.net.http.HttpClient.newHttpClient()
          .send(req, java.net.http.HttpResponse.BodyHandlers.ofString())
          .statusCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
