package io.kodiak.cp.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.k8s.testing.KodiakCrds;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.k8s.testing.Kubelet;
import io.kodiak.model.codec.Documents;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On Kubernetes a sidecar proves who it is with its Pod's service-account token (reviewed by the
 * real API server), and that token admits its own Pod's Dataplane only: another Pod's token, an
 * unbound or forged one, none, and a deleted Pod's are all refused.
 */
class ServiceAccountIdentityTest {
  private static final Map<String, String> INJECTED = Kubelet.INJECTED;

  private static KubeApiServer api;
  private static Kubelet kubelet;
  private static RunningControlPlane cp;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    api = KodiakCrds.startApiServer();
    kubelet = new Kubelet(api);
    kubelet.createMeshedNamespace("shop", Map.of());
    cp = RunningControlPlane.onKubernetes(dir.resolve("data"), api);
    kubelet.createService(
        "shop", "backend", Map.of("app", "backend"), 80, new IntOrString(8080), "http");
    for (String[] pod :
        new String[][] {{"backend-1", "backend", "127.0.0.31"}, {"web-1", "web", "127.0.0.32"}}) {
      kubelet.createPod("shop", pod[0], Map.of("app", pod[1]), INJECTED, Map.of("http", 8080));
      kubelet.run("shop", pod[0], pod[2], true);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cp.get("/meshes/default/dataplanes/backend-1.shop").status() == 200
                    && cp.get("/meshes/default/dataplanes/web-1.shop").status() == 200);
  }

  @AfterAll
  static void stop() {
    if (cp != null) {
      cp.close();
    }
    api.close();
  }

  @Test
  void aPodsOwnTokenBootstrapsItsDataplane() throws Exception {
    HttpResponse<String> reply = bootstrap("backend-1.shop", kubelet.podToken("shop", "backend-1"));
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    assertThat(Documents.parse(reply.body()).path("bootstrap").asText()).isNotEmpty();
  }

  @Test
  void anotherPodsTokenIsRefusedNamingWhoseItIs() throws Exception {
    HttpResponse<String> reply = bootstrap("backend-1.shop", kubelet.podToken("shop", "web-1"));
    assertThat(reply.statusCode()).isEqualTo(401);
    assertThat(reply.body()).contains("belongs to dataplane \\\"web-1.shop\\\"");
  }

  @Test
  void anUnboundForgedOrMissingTokenIsRefused() throws Exception {
    String unbound = kubelet.unboundToken("shop");
    assertThat(bootstrap("backend-1.shop", unbound).body()).contains("not bound to a Pod");
    String real = kubelet.podToken("shop", "backend-1");
    String forged =
        real.substring(0, real.lastIndexOf('.') + 1)
            + "AAAA"
            + real.substring(real.lastIndexOf('.') + 5);
    HttpResponse<String> reply = bootstrap("backend-1.shop", forged);
    assertThat(reply.statusCode()).isEqualTo(401);
    assertThat(reply.body()).contains("not valid").doesNotContain(forged);
    assertThat(bootstrap("backend-1.shop", "").body()).contains("no service-account token");
    assertThat(bootstrap("backend-1.shop", unbound).statusCode()).isEqualTo(401);
  }

  @Test
  void aDeletedPodsTokenIsWorthless() throws Exception {
    kubelet.createPod("shop", "gone-1", Map.of("app", "backend"), INJECTED, Map.of("http", 8080));
    kubelet.run("shop", "gone-1", "127.0.0.33", true);
    String token = kubelet.podToken("shop", "gone-1");
    kubelet.deletePod("shop", "gone-1");
    // another Dataplane of the same name, as if a new Pod took it: the old Pod's token stays dead
    kubelet.createPod("shop", "gone-1", Map.of("app", "backend"), INJECTED, Map.of("http", 8080));
    kubelet.run("shop", "gone-1", "127.0.0.33", true);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cp.get("/meshes/default/dataplanes/gone-1.shop").status() == 200);
    HttpResponse<String> reply = bootstrap("gone-1.shop", token);
    assertThat(reply.statusCode()).isEqualTo(401);
    assertThat(reply.body()).contains("not valid");
  }

  private static HttpResponse<String> bootstrap(String name, String token) throws Exception {
    String body =
        Documents.JSON
            .createObjectNode()
            .put("mesh", "default")
            .put("name", name)
            .put("dataplaneToken", token)
            .toString();
    return cp.dpServerClient()
        .send(
            HttpRequest.newBuilder(URI.create(cp.dpServerUrl() + "/bootstrap"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
