package io.kodiak.dp.readiness;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** Serves {@code GET /ready}: 200 when Envoy is live, 503 otherwise (for health checkers). */
public final class ReadinessServer implements AutoCloseable {
  private final HttpServer server;

  public ReadinessServer(String address, int port, BooleanSupplier ready) throws IOException {
    server = HttpServer.create(new InetSocketAddress(address, port), 0);
    server.createContext(
        "/ready",
        exchange -> {
          boolean ok = ready.getAsBoolean();
          byte[] body = (ok ? "READY\n" : "NOT READY\n").getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
