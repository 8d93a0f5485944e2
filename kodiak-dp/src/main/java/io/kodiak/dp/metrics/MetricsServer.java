package io.kodiak.dp.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's Prometheus endpoint (MeshMetric, default port 5670). Each scrape reads the merged
 * MeshMetric the control plane put into Envoy's config (see MeshMetricPlugin), takes Envoy's
 * stats in the Prometheus format filtered by the policy's profiles, appends the metrics of the
 * applications it lists, and answers one exposition. Nothing runs between scrapes.
 */
public final class MetricsServer implements AutoCloseable {
  static final String CLUSTER = "kodiak:meshmetric";
  static final String METADATA_KEY = "kodiak.meshmetric";
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final int adminPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
      .version(HttpClient.Version.HTTP_1_1).build();

  public MetricsServer(String address, int port, int envoyAdminPort) throws IOException {
    this.adminPort = envoyAdminPort;
    server = HttpServer.create(new InetSocketAddress(address, port), 16);
    server.createContext("/", this::scrape);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "metrics");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void scrape(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode conf = meshMetric();
      if (conf == null) {
        answer(exchange, 404, "no MeshMetric policy selects this proxy\n");
        return;
      }
      String path = conf.path("backends").path(0).path("prometheus").path("path").asText("/metrics");
      if (!exchange.getRequestURI().getPath().equals(path)) {
        answer(exchange, 404, "metrics are served on " + path + "\n");
        return;
      }
      JsonNode sidecar = conf.path("sidecar");
      StringBuilder out = new StringBuilder();
      String stats = get(adminPort, "127.0.0.1", "/stats/prometheus"
          + (sidecar.path("includeUnused").asBoolean(false) ? "" : "?usedonly"));
      out.append(new StatsFilter(sidecar.path("profiles")).filter(stats));
      for (JsonNode app : conf.path("applications")) {
        String address = app.path("address").asText("127.0.0.1");
        try {
          String text = get(app.path("port").asInt(), address, app.path("path").asText("/metrics"));
          out.append(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
        } catch (IOException e) {
          LOG.warn("metrics: application {} at {}:{} did not answer: {}", app.path("name").asText(""), address,
              app.path("port").asInt(), e.getMessage());
        }
      }
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      answer(exchange, 200, out.toString());
    } catch (IOException e) {
      answer(exchange, 503, "Envoy's admin API did not answer: " + e.getMessage() + "\n");
    }
  }

  /** The merged MeshMetric from Envoy's config, or null when no MeshMetric selects this proxy. */
  private JsonNode meshMetric() throws IOException {
    String dump = get(adminPort, "127.0.0.1", "/config_dump?resource=dynamic_active_clusters&name_regex="
        + java.net.URLEncoder.encode(CLUSTER, StandardCharsets.UTF_8));
    for (JsonNode config : JSON.readTree(dump).path("configs")) {
      JsonNode metadata = config.path("cluster").path("metadata").path("filter_metadata").path(METADATA_KEY);
      if (!metadata.isMissingNode()) {
        return metadata;
      }
    }
    return null;
  }

  private String get(int port, String host, String path) throws IOException {
    try {
      HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() != 200) {
        throw new IOException("HTTP " + res.statusCode() + " from " + host + ":" + port + path);
      }
      return res.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
