package io.kodiak.dp.probes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * and {@code GET /tcp/<port>} answers 200 when a connection to that port opens.
 *
 * <p>Anyone who reaches the Pod reaches this port, so it answers only the probes the injector
 * rewrote (their exact paths, each with its own timeout), never one of the sidecar's own ports,
 * only to GET, and with at most 10 KiB of the application's answer. The kubelet's headers are
 * passed on (but hop-by-hop ones); the application's status comes back, 503 when it cannot be
 * reached in time.
 */
public final class ApplicationProbeProxy implements AutoCloseable {
  private static final Pattern HTTP = Pattern.compile("^/(https/)?(\\d{1,5})(/.*)?$");
  private static final Pattern TCP = Pattern.compile("^/tcp/(\\d{1,5})$");
  private static final Set<String> NOT_PASSED_ON =
      Set.of(
          "host",
          "connection",
          "content-length",
          "expect",
          "upgrade",
          "keep-alive",
          "transfer-encoding",
          "te",
          "trailer",
          "proxy-authorization",
          "proxy-connection");
  private static final int MAX_BODY = 10 * 1024;

  private final HttpServer server;
  private final HttpClient http;
  private final HttpClient https;
  private final Map<String, Duration> probes;
  private final Set<Integer> sidecarPorts;

  /**
   * @param probes the rewritten probes' paths (with their query), each with its timeout
   * @param sidecarPorts the sidecar's own ports on loopback, never probed
   */
  public ApplicationProbeProxy(
      String address, int port, Map<String, Duration> probes, Set<Integer> sidecarPorts)
      throws IOException {
    this.probes = Map.copyOf(probes);
    this.sidecarPorts = Set.copyOf(sidecarPorts);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    https =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(trustingAnyone())
            .build();
    server = HttpServer.create(new InetSocketAddress(address, port), 0);
    server.setExecutor(Executors.newFixedThreadPool(4, ApplicationProbeProxy::daemon));
    server.createContext("/", this::probe);
    server.start();
  }

  /** {@code --application-probe} values as paths and timeouts; an error names a bad one. */
  public static Map<String, Duration> parseProbes(List<String> values) {
    Map<String, Duration> probes = new LinkedHashMap<>();
    for (String value : values) {
      int colon = value.indexOf(':');
      try {
        long seconds = Long.parseLong(value.substring(0, Math.max(colon, 0)));
        String path = value.substring(colon + 1);
        if (seconds < 1 || !path.startsWith("/")) {
          throw new NumberFormatException();
        }
        probes.put(path, Duration.ofSeconds(seconds));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--application-probe: '"
                + value
                + "' is not TIMEOUT_SECONDS:/PATH, as 1:/8080/healthz");
      }
    }
    return probes;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void probe(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestMethod().equals("GET")) {
      answer(exchange, 405, "probes are GET requests\n");
      return;
    }
    String path = exchange.getRequestURI().getRawPath();
    String query = exchange.getRequestURI().getRawQuery();
    Duration timeout = probes.get(query == null ? path : path + "?" + query);
    Matcher tcp = TCP.matcher(path);
    Matcher httpProbe = HTTP.matcher(path);
    if (timeout == null) {
      answer(exchange, 404, "not one of this Pod's probes\n");
    } else if (tcp.matches() && port(tcp.group(1)) > 0) {
      try (Socket socket = new Socket()) {
        socket.connect(
            new InetSocketAddress("127.0.0.1", port(tcp.group(1))), (int) timeout.toMillis());
        answer(exchange, 200, "port " + tcp.group(1) + " accepts connections\n");
      } catch (IOException e) {
        answer(exchange, 503, "port " + tcp.group(1) + " does not accept connections\n");
      }
    } else if (httpProbe.matches() && port(httpProbe.group(2)) > 0) {
      boolean tls = httpProbe.group(1) != null;
      String target =
          (tls ? "https" : "http")
              + "://127.0.0.1:"
              + port(httpProbe.group(2))
              + (httpProbe.group(3) == null ? "/" : httpProbe.group(3))
              + (query == null ? "" : "?" + query);
      forward(exchange, tls ? https : http, request(exchange, target, timeout));
    } else {
      answer(exchange, 404, "not one of this Pod's probes\n");
    }
  }

  private static HttpRequest request(HttpExchange exchange, String target, Duration timeout) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target)).timeout(timeout);
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!NOT_PASSED_ON.contains(name.toLowerCase(Locale.ROOT))) {
                for (String value : values) {
                  try {
                    request.header(name, value);
                  } catch (IllegalArgumentException e) {
                    // a header the client refuses to send: the probe goes without it
                  }
                }
              }
            });
    return request.build();
  }

  private static void forward(HttpExchange exchange, HttpClient client, HttpRequest request)
      throws IOException {
    try {
      HttpResponse<InputStream> res =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      byte[] body;
      try (InputStream in = res.body()) {
        body = in.readNBytes(MAX_BODY);
      }
      exchange.sendResponseHeaders(res.statusCode(), body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException e) {
      answer(exchange, 503, "the application did not answer in time\n");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answer(exchange, 503, "interrupted\n");
    }
  }

  /** The port in a path segment, or 0 when it is not one or is one of the sidecar's. */
  private int port(String digits) {
    int port = Integer.parseInt(digits);
    return port >= 1 && port <= 65535 && !sidecarPorts.contains(port) ? port : 0;
  }

  private static void answer(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
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
