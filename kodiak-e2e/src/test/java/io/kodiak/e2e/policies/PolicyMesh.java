package io.kodiak.e2e.policies;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.Running;
import io.kodiak.e2e.support.TestApps;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One mesh of a test, bare (only the test's policies act) or stock (with Kuma's initial default
 * policies, as users run it), with helpers to start apps and their agents and to apply policies
 * through the REST API.
 */
final class PolicyMesh {
  /** Kuma's initial policies, which a mesh gets unless its spec skips them. */
  static final List<String> INITIAL_POLICIES =
      List.of(
          "meshtimeouts/mesh-timeout-all-%s",
          "meshretries/mesh-retry-all-%s", "meshcircuitbreakers/mesh-circuit-breaker-all-%s");

  final String name;
  private final RunningControlPlane cp;
  private final Running running;
  private final Path dir;
  final List<String> proxies = new ArrayList<>();

  private PolicyMesh(String name, RunningControlPlane cp, Running running, Path dir) {
    this.name = name;
    this.cp = cp;
    this.running = running;
    this.dir = dir;
  }

  /** Creates the mesh {@code <base>-<setup>} the way {@code setup} says. */
  static PolicyMesh create(
      String base, MeshSetup setup, RunningControlPlane cp, Running running, Path dir) {
    PolicyMesh mesh =
        new PolicyMesh(base + "-" + setup.name().toLowerCase(Locale.ROOT), cp, running, dir);
    String skip = setup == MeshSetup.BARE ? ",\"skipCreatingInitialPolicies\":[\"*\"]" : "";
    var reply =
        cp.put(
            "/meshes/" + mesh.name,
            "{\"type\":\"Mesh\",\"name\":\"" + mesh.name + "\"" + skip + "}");
    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    mesh.assertInitialPolicies(setup == MeshSetup.STOCK ? 200 : 404);
    return mesh;
  }

  /** The mesh {@code default} exactly as the control plane created it at its first start. */
  static PolicyMesh defaultMesh(RunningControlPlane cp, Running running, Path dir) {
    PolicyMesh mesh = new PolicyMesh("default", cp, running, dir);
    mesh.assertInitialPolicies(200);
    return mesh;
  }

  private void assertInitialPolicies(int status) {
    for (String policy : INITIAL_POLICIES) {
      var reply = cp.get("/meshes/" + name + "/" + policy.formatted(name));
      assertThat(reply.status()).as(policy.formatted(name) + ": " + reply.body()).isEqualTo(status);
    }
  }

  /** Starts an HTTP app with the given behaviour; returns its port. */
  int app(TestApps.Behaviour behaviour) throws Exception {
    int port = Ports.free();
    running.add(TestApps.http(port, behaviour));
    return port;
  }

  /** An app that answers 200 with its name. */
  int namedApp(String appName) throws Exception {
    return app(exchange -> new TestApps.Reply(200, appName));
  }

  AgentProcess agent(
      String proxy,
      String service,
      String protocol,
      int appPort,
      Map<String, Integer> outbounds,
      Map<String, String> tags) {
    int inbound = Ports.free();
    int admin = Ports.free();
    String yaml =
        Dataplanes.yaml(name, proxy, service, protocol, inbound, appPort, admin, outbounds, tags);
    AgentProcess agent =
        running.add(
            AgentProcess.start(
                cp.dpServerUrl(),
                cp.caCertFile(),
                cp.dataplaneToken(name, proxy),
                yaml,
                admin,
                dir.resolve(name + "-" + proxy)));
    proxies.add(proxy);
    return agent;
  }

  /** A client proxy calling {@code service} (HTTP) on the returned local port. */
  int client(String service) {
    int port = Ports.free();
    agent(
        "client-" + service,
        "client-" + service,
        "http",
        Ports.free(),
        Map.of(service, port),
        Map.of());
    return port;
  }

  /** Creates or updates a policy from YAML (its mesh is this mesh). */
  void apply(String yaml) {
    JsonNode doc = Documents.parse(yaml);
    String type = doc.path("type").asText();
    String path = ResourceCatalog.byName(type).orElseThrow().path();
    ((ObjectNode) doc).put("mesh", name);
    var reply =
        cp.put(
            "/meshes/" + name + "/" + path + "/" + doc.path("name").asText(),
            Documents.toJson(doc));
    assertThat(reply.status()).as(reply.body()).isIn(200, 201);
  }
}
