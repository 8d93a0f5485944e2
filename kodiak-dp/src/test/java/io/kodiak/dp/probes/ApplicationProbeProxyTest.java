package io.kodiak.dp.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The probe proxy against a real application on loopback, asked as the kubelet asks. */
class ApplicationProbeProxyTest {
  private static HttpServer application;
  private static ApplicationProbeProxy proxy;
  private static int appPort;
  private static int adminPort;
  private static int closed;

  @BeforeAll
  static void start() throws IOException {
    application = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    application.createContext(
        "/healthz",
        exchange -> {
          String header = exchange.getRequestHeaders().getFirst("X-Probe");
          String query = exchange.getRequestURI().getRawQuery();
          byte[] body = ("ok " + header + " " + query).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    application.createContext(
        "/sick",
        exchange -> {
          exchange.sendResponseHeaders(500, -1);
          exchange.close();
        });
    application.start();
    appPort = application.getAddress().getPort();
    adminPort = closedPort();
    do {
      closed = closedPort();
    } while (closed == adminPort);
    Duration second = Duration.ofSeconds(1);
    proxy =
        new ApplicationProbeProxy(
            "127.0.0.1",
            0,
            Map.of(
                "/" + appPort + "/healthz?full=1", second,
                "/" + appPort + "/sick", second,
                "/tcp/" + appPort, second,
                "/tcp/" + closed, second,
                "/" + closed + "/healthz", second,
                "/" + adminPort + "/config_dump", second,
                "/tcp/" + adminPort, second),
            Set.of(adminPort));
  }

  @AfterAll
  static void stop() {
    proxy.close();
    application.stop(0);
  }

  @Test
  void anHttpProbeGetsTheApplicationsAnswerWithTheKubeletsHeaders() throws Exception {
    HttpResponse<String> res = get("/" + appPort + "/healthz?full=1", "X-Probe", "kubelet");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("ok kubelet full=1");
    assertThat(get("/" + appPort + "/sick").statusCode()).isEqualTo(500);
  }

  @Test
  void aTcpProbeSucceedsOnlyWhenThePortAcceptsConnections() throws Exception {
    assertThat(get("/tcp/" + appPort).statusCode()).isEqualTo(200);
    assertThat(get("/tcp/" + closed).statusCode()).isEqualTo(503);
    assertThat(get("/" + closed + "/healthz").statusCode())
        .as("an HTTP probe of a port nobody listens on")
        .isEqualTo(503);
  }

  @Test
  void theSidecarsOwnPortsAndAnythingButGetAreRefused() throws Exception {
    assertThat(get("/" + adminPort + "/config_dump").statusCode())
        .as("Envoy's admin through the probe port, even if listed")
        .isEqualTo(404);
    assertThat(get("/tcp/" + adminPort).statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + proxy.port() + "/" + appPort + "/healthz"))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void onlyThePodsOwnProbesAreAnsweredNotTheApplicationsOtherPaths() throws Exception {
    String[] paths = {
      "/" + appPort + "/healthz",
      "/" + appPort + "/healthz?full=2",
      "/" + appPort + "/sick/../healthz?full=1",
      "/" + appPort + "/",
      "/https/" + appPort + "/healthz?full=1",
      "/tcp/" + appPort + "/x",
      "/",
      "/0/x",
      "/70000/x"
    };
    for (String path : paths) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(404);
    }
  }

  @Test
  void aMalformedProbeOptionIsRefusedNamingIt() {
    assertThat(ApplicationProbeProxy.parseProbes(List.of("3:/8080/healthz?x=1", "1:/tcp/5432")))
        .containsEntry("/8080/healthz?x=1", Duration.ofSeconds(3))
        .containsEntry("/tcp/5432", Duration.ofSeconds(1));
    for (String bad : List.of("/8080/healthz", "0:/8080/x", "1:8080/x", "x:/8080/x")) {
      assertThatThrownBy(() -> ApplicationProbeProxy.parseProbes(List.of(bad)))
          .hasMessage(
              "--application-probe: '"
                  + bad
                  + "' is not TIMEOUT_SECONDS:/PATH, as 1:/8080/healthz");
    }
  }

  private static HttpResponse<String> get(String path, String... header) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path));
    if (header.length == 2) {
      request.header(header[0], header[1]);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
