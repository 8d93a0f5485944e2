package io.kodiak.e2e.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.kodiak.cp.testing.PrometheusText;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.demo.DemoApp;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Invariant;
import io.kodiak.e2e.support.InvariantsExempt;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.Running;
import io.kodiak.e2e.support.TestApps;
import io.kodiak.e2e.support.Traffic;
import io.kodiak.model.codec.Documents;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Observability on real Envoy, in a stock mesh (with Kuma's initial policies): spans reach a
 * Zipkin-API receiver with service names and parent/child links, access-log lines reach a file and
 * a TCP socket in both formats, an inbound's lines name the caller from its certificate under mTLS,
 * the agent's MeshMetric endpoint and the control plane's /metrics parse with Prometheus's own
 * parser, and a NACK shows in the control plane's metrics.
 */
class ObservabilityTest {
  @TempDir Path dir;
  RunningControlPlane cp;
  final Running running = new Running();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    cp = running.add(RunningControlPlane.start(dir.resolve("cp"), Map.of()));
    // a stock mesh: Kuma's initial MeshTimeout, MeshRetry and MeshCircuitBreaker act too, as users
    // run it
    put("/meshes/obs", "{\"type\":\"Mesh\",\"name\":\"obs\"}");
  }

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  /**
   * backend <- frontend (forwards trace headers) <- client; returns the client's port to frontend.
   */
  private Map<String, AgentProcess> frontendAndBackend() throws Exception {
    int backendApp = Ports.free();
    HttpServer backend = DemoApp.backend(backendApp, "b1");
    running.add(() -> backend.stop(0));
    int frontendToBackend = Ports.free();
    int frontendApp = Ports.free();
    HttpServer frontend =
        DemoApp.frontend(frontendApp, "http://127.0.0.1:" + frontendToBackend + "/");
    running.add(() -> frontend.stop(0));
    AgentProcess b = agent("backend-1", "backend", backendApp, Map.of());
    AgentProcess f =
        agent("frontend-1", "frontend", frontendApp, Map.of("backend", frontendToBackend));
    AgentProcess c =
        agent("client-1", "client", Ports.free(), Map.of("frontend", CLIENT_TO_FRONTEND));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Traffic.get(CLIENT_TO_FRONTEND, "/").status() == 200);
    return Map.of("backend", b, "frontend", f, "client", c);
  }

  private static final int CLIENT_TO_FRONTEND = Ports.free();

  private AgentProcess agent(String name, String service, int app, Map<String, Integer> outbounds) {
    return agent("obs", name, service, "http", app, outbounds);
  }

  private AgentProcess agent(
      String mesh,
      String name,
      String service,
      String protocol,
      int app,
      Map<String, Integer> outbounds) {
    int inbound = Ports.free();
    int admin = Ports.free();
    String yaml = Dataplanes.yaml(mesh, name, service, protocol, inbound, app, admin, outbounds);
    return running.add(
        AgentProcess.start(
            cp.dpServerUrl(),
            cp.caCertFile(),
            cp.dataplaneToken(mesh, name),
            yaml,
            admin,
            dir.resolve(name),
            List.of("--metrics-check-interval", "1s")));
  }

  private void put(String path, String body) {
    var reply = cp.put(path, body);
    assertThat(reply.status()).as(reply.body()).isIn(200, 201);
  }

  private void apply(String yaml) {
    JsonNode doc = Documents.parse(yaml);
    String path =
        io.kodiak.model.catalog.ResourceCatalog.byName(doc.path("type").asText())
            .orElseThrow()
            .path();
    put("/meshes/obs/" + path + "/" + doc.path("name").asText(), Documents.toJson(doc));
  }

  @Test
  void spansReachAZipkinReceiverWithServiceNamesAndParentLinks() throws Exception {
    List<JsonNode> spans = new CopyOnWriteArrayList<>();
    int zipkin = Ports.free();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", zipkin), 16);
    receiver.createContext(
        "/api/v2/spans",
        exchange -> {
          try (exchange) {
            Documents.parse(
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                .forEach(spans::add);
            exchange.sendResponseHeaders(202, -1);
          }
        });
    receiver.start();
    running.add(() -> receiver.stop(0));
    frontendAndBackend();
    apply(
        """
        type: MeshTrace
        mesh: obs
        name: zipkin
        spec:
          targetRef: {kind: Mesh}
          default:
            backends:
              - type: Zipkin
                zipkin: {url: "http://127.0.0.1:%d/api/v2/spans", sharedSpanContext: false}
            sampling: {overall: 100}
            tags:
              - {name: team, literal: shop}
        """
            .formatted(zipkin));
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Traffic.get(CLIENT_TO_FRONTEND, "/");
              return linkedChain(spans) != null;
            });
    JsonNode[] chain = linkedChain(spans);
    assertThat(chain[0].path("localEndpoint").path("serviceName").asText()).isEqualTo("frontend");
    assertThat(chain[1].path("localEndpoint").path("serviceName").asText()).isEqualTo("frontend");
    assertThat(chain[2].path("localEndpoint").path("serviceName").asText()).isEqualTo("backend");
    assertThat(chain[2].path("tags").path("team").asText()).isEqualTo("shop");
  }

  /**
   * frontend SERVER span -> its child frontend CLIENT span -> its child backend SERVER span, one
   * trace.
   */
  private static JsonNode[] linkedChain(List<JsonNode> spans) {
    for (JsonNode backend : spans) {
      if (!backend.path("kind").asText().equals("SERVER")
          || !backend.path("localEndpoint").path("serviceName").asText().equals("backend")) {
        continue;
      }
      for (JsonNode client : spans) {
        if (client.path("kind").asText().equals("CLIENT")
            && client.path("id").asText().equals(backend.path("parentId").asText())
            && client.path("traceId").asText().equals(backend.path("traceId").asText())) {
          for (JsonNode server : spans) {
            if (server.path("kind").asText().equals("SERVER")
                && server.path("id").asText().equals(client.path("parentId").asText())) {
              return new JsonNode[] {server, client, backend};
            }
          }
        }
      }
    }
    return null;
  }

  @Test
  void accessLogsReachAFileAndATcpSocketInBothFormats() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    ServerSocket socket =
        running.add(new ServerSocket(0, 16, java.net.InetAddress.getLoopbackAddress()));
    Thread reader =
        new Thread(
            () -> {
              while (!socket.isClosed()) {
                try (Socket s = socket.accept();
                    BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    received.add(line);
                  }
                } catch (java.io.IOException e) {
                  return;
                }
              }
            });
    reader.setDaemon(true);
    reader.start();
    Path file = dir.resolve("access.log");
    frontendAndBackend();
    apply(
        """
        type: MeshAccessLog
        mesh: obs
        name: logs
        spec:
          targetRef: {kind: MeshService, name: client}
          to:
            - targetRef: {kind: Mesh}
              default:
                backends:
                  - type: File
                    file:
                      path: %s
                      format: {type: Plain, plain: "%%KUMA_MESH%% %%KUMA_SOURCE_SERVICE%%->%%KUMA_DESTINATION_SERVICE%% %%REQ(:METHOD)%% %%REQ(:PATH)%% %%RESPONSE_CODE%% %%KUMA_TRAFFIC_DIRECTION%%"}
                  - type: Tcp
                    tcp:
                      address: 127.0.0.1:%d
                      format:
                        type: Json
                        json:
                          - {key: mesh, value: "%%KUMA_MESH%%"}
                          - {key: source, value: "%%KUMA_SOURCE_SERVICE%%"}
                          - {key: destination, value: "%%KUMA_DESTINATION_SERVICE%%"}
                          - {key: path, value: "%%REQ(:PATH)%%"}
                          - {key: status, value: "%%RESPONSE_CODE%%"}
        """
            .formatted(file, socket.getLocalPort()));
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Traffic.get(CLIENT_TO_FRONTEND, "/logged");
              return Files.exists(file)
                  && Files.readString(file).contains("/logged")
                  && !received.isEmpty();
            });
    assertThat(Files.readString(file)).contains("obs client->frontend GET /logged 200 OUTBOUND");
    JsonNode line = Documents.parse(received.get(received.size() - 1));
    assertThat(line.path("mesh").asText()).isEqualTo("obs");
    assertThat(line.path("source").asText()).isEqualTo("client");
    assertThat(line.path("destination").asText()).isEqualTo("frontend");
    assertThat(line.path("path").asText()).isEqualTo("/logged");
    assertThat(line.path("status").asText()).isEqualTo("200");
    assertThat(line.has("@kodiak_forward_to")).as("the relay marker is removed").isFalse();
  }

  /**
   * Issue 11, item 13: under mTLS the caller's SPIFFE identity is known from the handshake, so an
   * inbound's {@code %KUMA_SOURCE_SERVICE%} names the calling service (it said {@code unknown}), on
   * HTTP and TCP inbounds, in a custom line and in Kuma's default one.
   */
  @Test
  void anInboundAccessLogNamesTheCallerUnderMutualTls() throws Exception {
    put(
        "/meshes/secure-obs",
        """
        {"type": "Mesh", "name": "secure-obs",
         "mtls": {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin"}]}}
        """);
    put(
        "/meshes/secure-obs/meshtrafficpermissions/everyone",
        """
        {"type": "MeshTrafficPermission", "mesh": "secure-obs", "name": "everyone",
         "spec": {"targetRef": {"kind": "Mesh"}, "from": [{"targetRef": {"kind": "Mesh"}, "default": {"action": "Allow"}}]}}
        """);
    int backendApp = Ports.free();
    HttpServer backend = DemoApp.backend(backendApp, "b1");
    running.add(() -> backend.stop(0));
    int echoApp = Ports.free();
    running.add(DemoApp.echo(echoApp));
    agent("secure-obs", "backend-1", "backend", "http", backendApp, Map.of());
    agent("secure-obs", "echo-1", "echo", "tcp", echoApp, Map.of());
    int toBackend = Ports.free();
    int toEcho = Ports.free();
    agent(
        "secure-obs",
        "client-1",
        "client",
        "http",
        Ports.free(),
        Map.of("backend", toBackend, "echo", toEcho));
    await().atMost(Duration.ofSeconds(30)).until(() -> Traffic.get(toBackend, "/").status() == 200);
    await().atMost(Duration.ofSeconds(10)).until(() -> Traffic.echo(toEcho, "ping").equals("ping"));

    Path lines = dir.resolve("inbound.log");
    Path defaults = dir.resolve("inbound-default.log");
    put(
        "/meshes/secure-obs/meshaccesslogs/inbound",
        Documents.toJson(
            Documents.parse(
                """
        type: MeshAccessLog
        mesh: secure-obs
        name: inbound
        spec:
          targetRef: {kind: Mesh}
          from:
            - targetRef: {kind: Mesh}
              default:
                backends:
                  - type: File
                    file:
                      path: %s
                      format: {type: Plain, plain: "%%KUMA_SOURCE_SERVICE%%->%%KUMA_DESTINATION_SERVICE%% %%KUMA_TRAFFIC_DIRECTION%%"}
                  - type: File
                    file: {path: %s}
        """
                    .formatted(lines, defaults))));
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Traffic.get(toBackend, "/named");
              Traffic.echo(toEcho, "ping");
              return Files.exists(lines)
                  && Files.readString(lines).contains("->backend")
                  && Files.readString(lines).contains("->echo");
            });
    List<String> logged = Files.readAllLines(lines);
    assertThat(logged).as("HTTP inbound").contains("client->backend INBOUND");
    assertThat(logged).as("TCP inbound").contains("client->echo INBOUND");
    assertThat(logged).noneMatch(line -> line.startsWith("unknown"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !named(defaults).isEmpty());
    assertThat(named(defaults))
        .as("Kuma's default line")
        .allMatch(line -> line.contains("\"client\" \"backend\""));
  }

  /** The lines of a default-format log for requests to {@code /named}. */
  private static List<String> named(Path log) throws java.io.IOException {
    return Files.exists(log)
        ? Files.readAllLines(log).stream().filter(line -> line.contains("GET /named ")).toList()
        : List.of();
  }

  @Test
  void theAgentServesEnvoyAndApplicationMetricsAsOneExposition() throws Exception {
    int appMetrics = Ports.free();
    running.add(
        TestApps.http(
            appMetrics,
            exchange ->
                new TestApps.Reply(
                    200,
                    "# HELP shop_orders_total Orders taken.\n# TYPE shop_orders_total counter\nshop_orders_total 42\n")));
    Map<String, AgentProcess> agents = frontendAndBackend();
    int metricsPort = agents.get("client").metricsPort();
    assertThat(scrape(metricsPort).statusCode()).as("no MeshMetric yet").isEqualTo(404);
    apply(
        """
        type: MeshMetric
        mesh: obs
        name: metrics
        spec:
          targetRef: {kind: Mesh}
          default:
            sidecar:
              profiles:
                appendProfiles: [{name: Basic}]
                exclude: [{type: Prefix, match: envoy_cluster_upstream_cx}]
                include: [{type: Exact, match: envoy_server_concurrency}]
            applications:
              - {name: shop, port: %d, path: /metrics}
            backends:
              - type: Prometheus
                prometheus: {port: 5670, path: /metrics}
        """
            .formatted(appMetrics));
    await().atMost(Duration.ofSeconds(20)).until(() -> scrape(metricsPort).statusCode() == 200);
    JsonNode families = PrometheusText.parse(scrape(metricsPort).body());
    assertThat(families.has("envoy_cluster_upstream_rq"))
        .as(families.fieldNames().toString())
        .isTrue();
    assertThat(families.has("envoy_server_concurrency")).as("included by name").isTrue();
    assertThat(families.has("envoy_cluster_upstream_cx_total")).as("excluded by prefix").isFalse();
    assertThat(families.has("envoy_server_hot_restart_epoch"))
        .as("not in the Basic profile")
        .isFalse();
    assertThat(families.path("shop_orders").path("samples").get(0).path("value").asDouble())
        .isEqualTo(42.0);
  }

  @Test
  @InvariantsExempt(
      value = Invariant.NO_NACKS,
      reason =
          "the test applies a MeshProxyPatch that Envoy must refuse "
              + "(a cluster with a negative connect timeout) to see the NACK in the control plane's metrics")
  void aForcedNackShowsInTheControlPlaneMetrics() throws Exception {
    frontendAndBackend();
    JsonNode before = PrometheusText.parse(cpMetrics());
    assertThat(before.has("kodiak_xds_requests")).isTrue();
    assertThat(count(before, "kodiak_xds_requests", "nack")).isZero();
    assertThat(before.path("kodiak_xds_streams").path("samples").get(0).path("value").asDouble())
        .isEqualTo(3.0);
    assertThat(before.has("kodiak_workload_certificate_soonest_expiry_seconds")).isTrue();
    assertThat(before.has("kodiak_store_operation_seconds")).isTrue();
    // parses as an Envoy cluster (so it is accepted) but Envoy refuses a negative timeout
    apply(
        """
        type: MeshProxyPatch
        mesh: obs
        name: broken
        spec:
          targetRef: {kind: MeshService, name: client}
          default:
            appendModifications:
              - cluster:
                  operation: Add
                  value: |
                    name: refused
                    connectTimeout: -1s
                    type: STATIC
        """);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> count(PrometheusText.parse(cpMetrics()), "kodiak_xds_requests", "nack") >= 1);
    JsonNode after = PrometheusText.parse(cpMetrics());
    assertThat(after.path("kodiak_xds_delivery_seconds").path("type").asText())
        .isEqualTo("histogram");
    assertThat(Traffic.get(CLIENT_TO_FRONTEND, "/").status())
        .as("the proxy keeps its last good config")
        .isEqualTo(200);
  }

  private static double count(JsonNode families, String family, String result) {
    double total = 0;
    for (JsonNode sample : families.path(family).path("samples")) {
      if (sample.path("labels").path("result").asText().equals(result)
          && sample.path("name").asText().endsWith("_total")) {
        total += sample.path("value").asDouble();
      }
    }
    return total;
  }

  private String cpMetrics() throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + cp.controlPlane().diagnosticsPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static HttpResponse<String> scrape(int port) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void openTelemetryBackendsReceiveMetricsSpansAndLogs() throws Exception {
    OtlpReceiver otlp = running.add(new OtlpReceiver());
    frontendAndBackend();
    String endpoint = "127.0.0.1:" + otlp.port();
    apply(
        """
        type: MeshMetric
        mesh: obs
        name: otel-metrics
        spec:
          targetRef: {kind: MeshService, name: client}
          default:
            backends:
              - type: OpenTelemetry
                openTelemetry: {endpoint: "%s", refreshInterval: 1s}
        """
            .formatted(endpoint));
    apply(
        """
        type: MeshTrace
        mesh: obs
        name: otel-traces
        spec:
          targetRef: {kind: Mesh}
          default:
            backends:
              - type: OpenTelemetry
                openTelemetry: {endpoint: "%s"}
        """
            .formatted(endpoint));
    apply(
        """
        type: MeshAccessLog
        mesh: obs
        name: otel-logs
        spec:
          targetRef: {kind: MeshService, name: client}
          to:
            - targetRef: {kind: Mesh}
              default:
                backends:
                  - type: OpenTelemetry
                    openTelemetry: {endpoint: "%s", body: "%%KUMA_SOURCE_SERVICE%% called %%KUMA_DESTINATION_SERVICE%%"}
        """
            .formatted(endpoint));
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Traffic.get(CLIENT_TO_FRONTEND, "/");
              return !otlp.metrics.isEmpty()
                  && otlp.spanServices().contains("backend")
                  && !otlp.logBodies().isEmpty();
            });
    var resource = otlp.metrics.get(0).getResourceMetrics(0);
    assertThat(resource.getResource().getAttributesList())
        .anyMatch(
            a ->
                a.getKey().equals("service.name")
                    && a.getValue().getStringValue().equals("client"));
    assertThat(resource.getScopeMetrics(0).getMetricsList())
        .anyMatch(m -> m.getName().startsWith("envoy_cluster_upstream_rq"));
    assertThat(otlp.spanServices()).contains("frontend", "backend");
    assertThat(otlp.logBodies()).contains("client called frontend");
  }
}
