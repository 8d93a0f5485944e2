package io.kodiak.e2e.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.cp.testing.RunningControlPlane.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dataplane tokens at the dp-server: without one, with another proxy's, with a revoked or an
 * expired one, a proxy gets no bootstrap (and so no config or certificate); with its own it does.
 */
class DataplaneTokenTest {
  @TempDir static Path dir;
  static RunningControlPlane cp;

  @BeforeAll
  static void start() {
    cp = RunningControlPlane.start(dir);
  }

  @AfterAll
  static void stop() {
    cp.close();
  }

  @Test
  void onlyTheRightLiveTokenGetsABootstrap() {
    String web = cp.dataplaneToken("default", "web-1");
    assertThat(bootstrap("web-1", web).statusCode()).isEqualTo(200);

    var none = bootstrap("web-1", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).contains("no dataplane token");

    var other = bootstrap("web-1", cp.dataplaneToken("default", "db-1"));
    assertThat(other.statusCode()).isEqualTo(401);
    assertThat(other.body()).contains("belongs to dataplane \\\"db-1\\\", not \\\"web-1\\\"");

    var forged = bootstrap("web-1", web.substring(0, web.length() - 4) + "AAAA");
    assertThat(forged.statusCode()).isEqualTo(401);
  }

  @Test
  void tokensBoundToTagsAdmitOnlyMatchingProxies() {
    Reply issued =
        cp.send(
            "POST",
            "/tokens/dataplane",
            "{\"mesh\": \"default\", \"tags\": {\"kuma.io/service\": [\"api\"]}}",
            cp.adminToken());
    assertThat(issued.status()).isEqualTo(200);
    assertThat(bootstrapFor("any-name", "api", issued.body()).statusCode()).isEqualTo(200);
    var wrongService = bootstrapFor("any-name", "web", issued.body());
    assertThat(wrongService.statusCode()).isEqualTo(401);
    assertThat(wrongService.body()).contains("allows tag kuma.io/service only to be one of [api]");
  }

  @Test
  void revokedAndExpiredTokensAreRefused() throws Exception {
    String token = cp.dataplaneToken("default", "rev-1");
    assertThat(bootstrap("rev-1", token).statusCode()).isEqualTo(200);
    String jti = claims(token).replaceAll(".*\"jti\":\"([^\"]+)\".*", "$1");
    String data =
        Base64.getEncoder().encodeToString(("other-id," + jti).getBytes(StandardCharsets.UTF_8));
    assertThat(
            cp.put(
                    "/meshes/default/secrets/dataplane-token-revocations-default",
                    "{\"type\": \"Secret\", \"mesh\": \"default\", \"name\": \"dataplane-token-revocations-default\", \"data\": \""
                        + data
                        + "\"}")
                .status())
        .isEqualTo(201);
    var revoked = bootstrap("rev-1", token);
    assertThat(revoked.statusCode()).isEqualTo(401);
    assertThat(revoked.body()).contains("revoked");

    // claims are whole seconds: a 1 s token can be over before the first request lands
    Reply shortLived =
        cp.send(
            "POST",
            "/tokens/dataplane",
            "{\"mesh\": \"default\", \"name\": \"exp-1\", \"validFor\": \"3s\"}",
            cp.adminToken());
    assertThat(bootstrap("exp-1", shortLived.body()).statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> bootstrap("exp-1", shortLived.body()).body().contains("expired"));
  }

  @Test
  void tokensNeedTheAdminTokenAndAnExistingMesh() {
    assertThat(cp.send("POST", "/tokens/dataplane", "{\"mesh\": \"default\"}", null).status())
        .isEqualTo(401);
    assertThat(
            cp.send("POST", "/tokens/dataplane", "{\"mesh\": \"nope\"}", cp.adminToken()).status())
        .isEqualTo(400);
  }

  private static HttpResponse<String> bootstrap(String name, String token) {
    return bootstrapFor(name, "web", token);
  }

  private static HttpResponse<String> bootstrapFor(String name, String service, String token) {
    String dataplane =
        "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\""
            + name
            + "\",\"networking\":{\"address\":"
            + "\"127.0.0.1\",\"inbound\":[{\"port\":30001,\"tags\":{\"kuma.io/service\":\""
            + service
            + "\"}}]}}";
    String body =
        "{\"mesh\":\"default\",\"name\":\""
            + name
            + "\",\"dataplaneResource\":"
            + quote(dataplane)
            + (token == null ? "" : ",\"dataplaneToken\":" + quote(token))
            + "}";
    try {
      return cp.dpServerClient()
          .send(
              HttpRequest.newBuilder(URI.create(cp.dpServerUrl() + "/bootstrap"))
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String claims(String token) {
    return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
