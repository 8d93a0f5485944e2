package io.kodiak.dp.probes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The kubelet's way around mTLS: the injector rewrites the application's probes to this port, which
 * the Pod's nat rules leave alone, and this asks the application on loopback as the kubelet would
 * have. {@code GET /<port>/<path>} probes {@code http://127.0.0.1:<port>/<path>}, {@code GET
 * /https/<port>/<path>} the same over TLS without checking the certificate (as the kubelet does),
 * and {@code GET /tcp/<port>} answers 200 when a connection to that port opens. The kubelet's
 * headers are passed on; the application's status comes back (a failure to reach it is 503). Anyone
 * who reaches the Pod reaches this port, so the sidecar's own ports (Envoy's admin above all: its
 * config and stats) are refused, and only GET is asked.
 */
public final class ApplicationProbeProxy implements AutoCloseable {
  private static final Pattern HTTP = Pattern.compile("^/(https/)?(\\d{1,5})(/.*)?$");
  private static final Pattern TCP = Pattern.compile("^/tcp/(\\d{1,5})$");
  private static final Set<String> NOT_PASSED_ON =
      Set.of("host", "connection", "content-length", "expect", "upgrade", "keep-alive");
  private static final Duration TIMEOUT = Duration.ofSeconds(10); // the kubelet's is shorter

  private final HttpServer server;
  private final HttpClient http;
  private final HttpClient https;
  private final Set<Integer> sidecarPorts;

  /**
   * @param sidecarPorts the sidecar's own ports on loopback, never probed
   */
  public ApplicationProbeProxy(String address, int port, Set<Integer> sidecarPorts)
      throws IOException {
    this.sidecarPorts = Set.copyOf(sidecarPorts);
    http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    https = HttpClient.newBuilder().connectTimeout(TIMEOUT).sslContext(trustingAnyone()).build();
    server = HttpServer.create(new InetSocketAddress(address, port), 0);
    server.setExecutor(Executors.newFixedThreadPool(2, ApplicationProbeProxy::daemon));
    server.createContext("/", this::probe);
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void probe(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
      answer(exchange, 405, "probes are GET requests\n");
      return;
    }
    String path = exchange.getRequestURI().getRawPath();
    String query = exchange.getRequestURI().getRawQuery();
    Matcher tcp = TCP.matcher(path);
    Matcher httpProbe = HTTP.matcher(path);
    if (tcp.matches() && port(tcp.group(1)) > 0) {
      try (Socket socket = new Socket()) {
        socket.connect(
            new InetSocketAddress("127.0.0.1", port(tcp.group(1))), (int) TIMEOUT.toMillis());
        answer(exchange, 200, "port " + tcp.group(1) + " accepts connections\n");
      } catch (IOException e) {
        answer(exchange, 503, "port " + tcp.group(1) + ": " + e.getMessage() + "\n");
      }
    } else if (httpProbe.matches() && port(httpProbe.group(2)) > 0) {
      boolean tls = httpProbe.group(1) != null;
      String target =
          (tls ? "https" : "http")
              + "://127.0.0.1:"
              + port(httpProbe.group(2))
              + (httpProbe.group(3) == null ? "/" : httpProbe.group(3))
              + (query == null ? "" : "?" + query);
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target)).timeout(TIMEOUT);
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) -> {
                if (!NOT_PASSED_ON.contains(name.toLowerCase(Locale.ROOT))) {
                  values.forEach(v -> request.header(name, v));
                }
              });
      try {
        HttpResponse<byte[]> res =
            (tls ? https : http).send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        byte[] body = res.body();
        exchange.sendResponseHeaders(res.statusCode(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      } catch (IOException | IllegalArgumentException e) {
        answer(exchange, 503, target + ": " + e + "\n");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        answer(exchange, 503, "interrupted\n");
      }
    } else {
      answer(
          exchange, 400, "not a probe: GET /<port>/<path>, /https/<port>/<path> or /tcp/<port>\n");
    }
  }

  /** The port in a path segment, or 0 when it is not one or is one of the sidecar's. */
  private int port(String digits) {
    int port = Integer.parseInt(digits);
    return port >= 1 && port <= 65535 && !sidecarPorts.contains(port) ? port : 0;
  }

  private static void answer(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static SSLContext trustingAnyone() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          null,
          new TrustManager[] {
            new X509TrustManager() {
              @Override
              public void checkClientTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public void checkServerTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
              }
            }
          },
          new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no TLS", e);
    }
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "application-probes");
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
