package io.kodiak.dp.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's Prometheus endpoint (MeshMetric, default port 5670). Each scrape reads the merged
 * MeshMetric the control plane put into Envoy's config (see MeshMetricPlugin), takes Envoy's stats
 * in the Prometheus format filtered by the policy's profiles, appends the metrics of the
 * applications it lists, and answers one exposition. Nothing runs between scrapes.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

  private final HttpServer server;
  private final EnvoyMetrics envoy;

  public MetricsServer(String address, int port, int envoyAdminPort) throws IOException {
    this.envoy = new EnvoyMetrics(envoyAdminPort);
    server = HttpServer.create(new InetSocketAddress(address, port), 16);
    server.createContext("/", this::scrape);
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
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
      JsonNode conf = envoy.meshMetric().orElse(null);
      if (conf == null) {
        answer(exchange, 404, "no MeshMetric policy selects this proxy\n");
        return;
      }
      String path = "/metrics";
      for (JsonNode backend : conf.path("backends")) {
        if (backend.path("type").asText().equals("Prometheus")) {
          path = backend.path("prometheus").path("path").asText("/metrics");
        }
      }
      if (!exchange.getRequestURI().getPath().equals(path)) {
        answer(exchange, 404, "metrics are served on " + path + "\n");
        return;
      }
      StringBuilder out = new StringBuilder(envoy.stats(conf));
      for (JsonNode app : conf.path("applications")) {
        String address = app.path("address").asText("127.0.0.1");
        try {
          String text =
              envoy.get(app.path("port").asInt(), address, app.path("path").asText("/metrics"));
          out.append(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
        } catch (IOException e) {
          LOG.warn(
              "metrics: application {} at {}:{} did not answer: {}",
              app.path("name").asText(""),
              address,
              app.path("port").asInt(),
              e.getMessage());
        }
      }
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      answer(exchange, 200, out.toString());
    } catch (IOException e) {
      answer(exchange, 503, "Envoy's admin API did not answer: " + e.getMessage() + "\n");
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
