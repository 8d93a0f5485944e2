package io.kodiak.cp.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kodiak.cp.config.CpConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The diagnostics port (5680): {@code /metrics} in the Prometheus text format, {@code /healthy}
 * (the process answers) and {@code /ready} (the control plane has started and serves its API and
 * dp-server).
 */
public final class DiagnosticsServer implements AutoCloseable {
  private final HttpServer server;
  private final AtomicBoolean ready = new AtomicBoolean();

  public DiagnosticsServer(CpConfig.Diagnostics config, PrometheusMeterRegistry registry) {
    try {
      server =
          HttpServer.create(new InetSocketAddress(config.interfaceAddress(), config.port()), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for diagnostics on "
              + config.interfaceAddress()
              + ":"
              + config.port()
              + " (diagnostics.port): "
              + e.getMessage(),
          e);
    }
    server.createContext(
        "/metrics",
        exchange ->
            answer(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/healthy", exchange -> answer(exchange, 200, "text/plain", "healthy\n"));
    server.createContext(
        "/ready",
        exchange ->
            answer(
                exchange,
                ready.get() ? 200 : 503,
                "text/plain",
                ready.get() ? "ready\n" : "starting\n"));
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "diagnostics");
              t.setDaemon(true);
              return t;
            }));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public void markReady() {
    ready.set(true);
  }

  private static void answer(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    ready.set(false);
    server.stop(0);
  }
}
