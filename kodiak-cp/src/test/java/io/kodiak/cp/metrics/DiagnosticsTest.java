package io.kodiak.cp.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.cp.testing.PrometheusText;
import io.kodiak.cp.testing.RunningControlPlane;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The diagnostics port: probes and a Prometheus exposition a real parser accepts. */
class DiagnosticsTest {
  @TempDir static Path dataDir;
  static RunningControlPlane cp;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    cp = RunningControlPlane.start(dataDir);
  }

  @AfterAll
  static void stop() {
    cp.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + cp.controlPlane().diagnosticsPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void probesAnswer() throws Exception {
    assertThat(get("/healthy").statusCode()).isEqualTo(200);
    assertThat(get("/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void metricsParseAndHoldTheStoreAndJvmFamilies() throws Exception {
    cp.get("/meshes/default/meshtimeouts"); // a store read
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    JsonNode families = PrometheusText.parse(metrics.body());
    assertThat(families.has("kodiak_store_operation_seconds")).as(families.toString()).isTrue();
    assertThat(families.path("kodiak_store_operation_seconds").path("type").asText())
        .isEqualTo("summary");
    assertThat(families.has("kodiak_xds_streams")).isTrue();
    assertThat(families.has("kodiak_xds_delivery_seconds")).isTrue();
    assertThat(families.has("jvm_memory_used_bytes")).isTrue();
    assertThat(families.has("process_uptime_seconds")).isTrue();
  }
}
