package io.kodiak.dp.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * What the agent reads from its Envoy for MeshMetric: the merged policy the control plane put in
 * the metadata of the cluster {@value #CLUSTER} (see MeshMetricPlugin), and Envoy's stats in the
 * Prometheus format filtered by the policy's profiles.
 */
final class EnvoyMetrics {
  static final String CLUSTER = "kodiak:meshmetric";
  static final String METADATA_KEY = "kodiak.meshmetric";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int adminPort;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  EnvoyMetrics(int adminPort) {
    this.adminPort = adminPort;
  }

  /** The merged MeshMetric, or empty when no MeshMetric selects this proxy. */
  Optional<JsonNode> meshMetric() throws IOException {
    String dump =
        get(
            adminPort,
            "127.0.0.1",
            "/config_dump?resource=dynamic_active_clusters&name_regex="
                + URLEncoder.encode(CLUSTER, StandardCharsets.UTF_8));
    for (JsonNode config : JSON.readTree(dump).path("configs")) {
      JsonNode metadata =
          config.path("cluster").path("metadata").path("filter_metadata").path(METADATA_KEY);
      if (!metadata.isMissingNode()) {
        return Optional.of(metadata);
      }
    }
    return Optional.empty();
  }

  /** Envoy's stats the policy keeps, in the Prometheus text format. */
  String stats(JsonNode conf) throws IOException {
    JsonNode sidecar = conf.path("sidecar");
    String stats =
        get(
            adminPort,
            "127.0.0.1",
            "/stats/prometheus"
                + (sidecar.path("includeUnused").asBoolean(false) ? "" : "?usedonly"));
    return new StatsFilter(sidecar.path("profiles")).filter(stats);
  }

  String get(int port, String host, String path) throws IOException {
    try {
      HttpResponse<String> res =
          http.send(
              HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() != 200) {
        throw new IOException("HTTP " + res.statusCode() + " from " + host + ":" + port + path);
      }
      return res.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
