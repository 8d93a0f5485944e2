package io.kodiak.dp.probes;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
    proxy = new ApplicationProbeProxy("127.0.0.1", 0, Set.of(adminPort));
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
    assertThat(get("/tcp/" + closedPort()).statusCode()).isEqualTo(503);
    assertThat(get("/" + closedPort() + "/healthz").statusCode())
        .as("an HTTP probe of a port nobody listens on")
        .isEqualTo(503);
  }

  @Test
  void theSidecarsOwnPortsAndAnythingButGetAreRefused() throws Exception {
    assertThat(get("/" + adminPort + "/config_dump").statusCode())
        .as("Envoy's admin through the probe port")
        .isEqualTo(400);
    assertThat(get("/tcp/" + adminPort).statusCode()).isEqualTo(400);
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
  void anythingElseIsABadRequest() throws Exception {
    for (String path : new String[] {"/", "/healthz", "/0/x", "/70000/x", "/tcp/", "/tcp/80/x"}) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(400);
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
