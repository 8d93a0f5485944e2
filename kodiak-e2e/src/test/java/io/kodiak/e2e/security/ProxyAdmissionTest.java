package io.kodiak.e2e.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.cp.testing.RunningControlPlane.Reply;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.RawAdsStream;
import io.kodiak.e2e.support.Revocations;
import io.kodiak.e2e.support.Running;
import io.kodiak.e2e.support.TlsProbe;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxy is what its dataplane token says, and no more, from the first request to the last: real
 * kodiak-dp and Envoy (and a hand-made ADS client that skips the bootstrap) against the stock mesh
 * {@code default} (Kuma's initial policies present) with builtin mTLS, as a user runs it.
 */
class ProxyAdmissionTest {
  private static final String DEFAULT_MTLS =
      """
      {"type": "Mesh", "name": "default",
       "mtls": {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin"}]}}
      """;

  /** For proxies that are refused before their Envoy could start. */
  private static final int ADMIN_UNUSED = Ports.free();

  @TempDir static Path dir;
  static RunningControlPlane cp;
  static final Running running = new Running();

  @BeforeAll
  static void start() {
    cp = RunningControlPlane.start(dir.resolve("cp"));
    assertThat(cp.get("/meshes/default/meshtimeouts/mesh-timeout-all-default").status())
        .isEqualTo(200);
    assertThat(cp.put("/meshes/default", DEFAULT_MTLS).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() throws Exception {
    running.close();
    cp.close();
  }

  @Test
  void aTokenForOneServiceAdmitsNoProxyThatAlsoClaimsAnother() throws Exception {
    String evilOnly = tokenWithService("evil");
    String both = dataplane("two-faced", List.of("web", "evil"));

    // through the bootstrap, with the real agent: refused, the agent gives up, nothing is stored
    AgentProcess agent =
        running.add(
            AgentProcess.launch(
                cp.dpServerUrl(),
                cp.caCertFile(),
                evilOnly,
                both,
                ADMIN_UNUSED,
                dir.resolve("two-faced"),
                0));
    await().atMost(Duration.ofSeconds(30)).until(() -> !agent.alive());
    assertThat(agent.log())
        .contains("kuma.io/service only to be one of [evil]", "networking.inbound[0] has \"web\"");
    assertThat(cp.get("/meshes/default/dataplanes/two-faced").status()).isEqualTo(404);

    // straight onto the xDS stream, skipping the bootstrap: refused before anything is stored
    try (RawAdsStream stream =
        RawAdsStream.open(
            cp.controlPlane().dpServerPort(),
            cp.caCertFile(),
            "default.two-faced",
            Map.of("dataplane.resource", toJson(both), "dataplane.token", evilOnly))) {
      Object answer = stream.firstAnswer();
      assertThat(answer).isInstanceOf(Status.class);
      assertThat(((Status) answer).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(((Status) answer).getDescription()).contains("only to be one of [evil]");
    }
    assertThat(cp.get("/meshes/default/dataplanes/two-faced").status()).isEqualTo(404);

    // a tag the token names must be on every inbound, with an allowed value, also for the stream
    try (RawAdsStream stream =
        RawAdsStream.open(
            cp.controlPlane().dpServerPort(),
            cp.caCertFile(),
            "default.honest",
            Map.of(
                "dataplane.resource",
                toJson(dataplane("honest", List.of("evil"))),
                "dataplane.token",
                evilOnly))) {
      assertThat(stream.firstAnswer()).isInstanceOf(DiscoveryResponse.class);
    }
  }

  @Test
  void aProxyWhoseDataplaneIsChangedBeyondItsTokenIsCutOffAndNeverWearsTheOtherIdentity()
      throws Exception {
    int inbound = Ports.free();
    int admin = Ports.free();
    String yaml = dataplane("web-1", List.of("web"), inbound, admin);
    AgentProcess agent =
        running.add(
            AgentProcess.start(
                cp.dpServerUrl(),
                cp.caCertFile(),
                tokenWithService("web"),
                yaml,
                admin,
                dir.resolve("web-1")));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> uris(inbound).contains("spiffe://default/web"));
    int streamsBefore = subscriptions("web-1");

    // an admin (or a script) adds an inbound for another service to the connected proxy's Dataplane
    Reply changed =
        cp.put(
            "/meshes/default/dataplanes/web-1",
            toJson(dataplane("web-1", List.of("web", "evil"), inbound, admin)));
    assertThat(changed.status()).isEqualTo(200);
    List<String> seen = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              seen.addAll(uris(inbound));
              return subscriptions("web-1") > streamsBefore
                  && cp.controlPlane().insights().online("default", "web-1");
            });
    // its stream was closed at once; it reconnected as what its token allows, and never got the
    // other name
    assertThat(seen).isNotEmpty().doesNotContain("spiffe://default/evil");
    assertThat(cp.get("/meshes/default/dataplanes/web-1").body()).doesNotContain("evil");
    assertThat(uris(inbound))
        .contains("spiffe://default/web")
        .doesNotContain("spiffe://default/evil");
    assertThat(agent.alive()).isTrue();
  }

  @Test
  void revokingATokenCutsOffItsConnectedProxyForGood() throws Exception {
    String token = cp.dataplaneToken("default", "rev-1");
    int admin = Ports.free();
    AgentProcess agent =
        running.add(
            AgentProcess.start(
                cp.dpServerUrl(),
                cp.caCertFile(),
                token,
                dataplane("rev-1", List.of("rev"), Ports.free(), admin),
                admin,
                dir.resolve("rev-1")));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> agent.stat("control_plane.connected_state") == 1);

    assertThat(Revocations.revoke(cp, "default", token)).isEqualTo(201);

    // within seconds the stream is gone, and every reconnect is refused: no config, no certificate
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                !cp.controlPlane().insights().online("default", "rev-1")
                    && agent.stat("control_plane.connected_state") == 0);
    // (Envoy's own gauge flips to 1 for each retry before the refusal: the control plane's view
    // decides)
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !cp.controlPlane().insights().online("default", "rev-1"));
  }

  @Test
  void theBootstrapAuthenticatesBeforeItLooksAtTheDataplane() throws Exception {
    // no token, and a Dataplane that is not even valid: the answer is about the token, not the
    // Dataplane
    HttpResponse<String> invalid =
        bootstrap(
            "{\"mesh\":\"default\",\"name\":\"x\",\"dataplaneResource\":"
                + "\"{\\\"type\\\":\\\"Dataplane\\\",\\\"networking\\\":{\\\"address\\\":\\\"not an address\\\"}}\"}");
    assertThat(invalid.statusCode()).isEqualTo(401);
    assertThat(invalid.body())
        .contains("no dataplane token")
        .doesNotContain("address", cp.dataDir().toString());
    HttpResponse<String> malformed = bootstrap("{not json");
    assertThat(malformed.statusCode()).isEqualTo(401);
    assertThat(malformed.body()).doesNotContain("Unexpected character");
    // a proxy name that does not exist: an anonymous caller cannot tell
    HttpResponse<String> probe = bootstrap("{\"mesh\":\"default\",\"name\":\"who-is-there\"}");
    assertThat(probe.statusCode()).isEqualTo(401);
  }

  private static HttpResponse<String> bootstrap(String body) throws Exception {
    return cp.dpServerClient()
        .send(
            HttpRequest.newBuilder(URI.create(cp.dpServerUrl() + "/bootstrap"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String tokenWithService(String service) {
    Reply issued =
        cp.send(
            "POST",
            "/tokens/dataplane",
            "{\"mesh\": \"default\", \"tags\": {\"kuma.io/service\": [\"" + service + "\"]}}",
            cp.adminToken());
    assertThat(issued.status()).isEqualTo(200);
    return issued.body();
  }

  private static String dataplane(String name, List<String> services) {
    return dataplane(name, services, Ports.free(), ADMIN_UNUSED);
  }

  /** A Dataplane with one HTTP inbound per service, the first on {@code firstInbound}. */
  private static String dataplane(String name, List<String> services, int firstInbound, int admin) {
    StringBuilder y =
        new StringBuilder(
            "type: Dataplane\nmesh: default\nname: "
                + name
                + "\nnetworking:\n  address: 127.0.0.1\n  inbound:\n");
    for (int i = 0; i < services.size(); i++) {
      y.append("    - port: ")
          .append(i == 0 ? firstInbound : Ports.free())
          .append('\n')
          .append("      servicePort: ")
          .append(Ports.free())
          .append('\n')
          .append("      tags: {kuma.io/service: ")
          .append(services.get(i))
          .append(", kuma.io/protocol: http}\n");
    }
    return y.append("  admin:\n    port: ").append(admin).append('\n').toString();
  }

  private static String toJson(String yaml) {
    return io.kodiak.model.codec.Documents.toJson(io.kodiak.model.codec.Documents.parse(yaml));
  }

  private static int subscriptions(String name) {
    return cp.controlPlane()
        .insights()
        .insight("default", name)
        .map(i -> i.path("subscriptions").size())
        .orElse(0);
  }

  private static List<String> uris(int port) throws Exception {
    var certificate = TlsProbe.serverCertificate(port, null);
    return certificate.isPresent() ? TlsProbe.uris(certificate.get()) : List.of();
  }
}
