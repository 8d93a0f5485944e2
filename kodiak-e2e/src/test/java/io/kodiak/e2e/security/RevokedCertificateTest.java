package io.kodiak.e2e.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.Revocations;
import io.kodiak.e2e.support.Running;
import io.kodiak.e2e.support.TlsProbe;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revoked token's proxy gets no certificate again: with workload certificates that live 4 s (so
 * renewed every 3.2 s), a real kodiak-dp and Envoy are seen renewed while admitted; after the
 * revocation the control plane issues nothing for it past several renewal points, not even when its
 * config is inspected, holds no certificate for it, and the one Envoy serves expires unrenewed.
 */
class RevokedCertificateTest {
  private static final String MESH = "revoked";
  private static final String LIFETIME = "4s";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;
  private final Running running = new Running();

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  @Test
  void aRevokedProxysCertificateIsNeverRenewed() throws Exception {
    // the Dataplane stays stored well past the test, so it can be inspected after the revocation
    RunningControlPlane cp =
        running.add(
            RunningControlPlane.start(
                dir.resolve("cp"), Map.of("KODIAK_DP_SERVER_DEREGISTRATION_GRACE", "5m")));
    assertThat(
            cp.put(
                    "/meshes/" + MESH,
                    """
        {"type": "Mesh", "name": "%s",
         "mtls": {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin",
           "dpCert": {"rotation": {"expiration": "%s"}}}]}}
        """
                        .formatted(MESH, LIFETIME))
                .status())
        .isEqualTo(201);
    String token = cp.dataplaneToken(MESH, "rev-1");
    int admin = Ports.free();
    int inbound = Ports.free();
    AgentProcess agent =
        running.add(
            AgentProcess.start(
                cp.dpServerUrl(),
                cp.caCertFile(),
                token,
                Dataplanes.yaml(
                    MESH, "rev-1", "rev", "http", inbound, Ports.free(), admin, Map.of()),
                admin,
                dir.resolve("rev-1")));

    // admitted: renewed, at the control plane and in Envoy
    Set<BigInteger> served = new HashSet<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              TlsProbe.serverCertificate(inbound, null)
                  .ifPresent(c -> served.add(c.getSerialNumber()));
              return served.size() >= 2;
            });
    assertThat(metric(cp, "kodiak_workload_certificates_issued_total")).isGreaterThanOrEqualTo(2);
    assertThat(metric(cp, "kodiak_workload_certificates")).isEqualTo(1);

    assertThat(Revocations.revoke(cp, MESH, token)).isEqualTo(201);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !cp.controlPlane().insights().online(MESH, "rev-1"));
    // the certificate it was issued is dropped with its stream
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metric(cp, "kodiak_workload_certificates") == 0);

    // Past every renewal point and the end of the last certificate's life: nothing is issued for
    // it, though its config is inspected meanwhile, and Envoy keeps serving the one it had.
    long issued = metric(cp, "kodiak_workload_certificates_issued_total");
    X509Certificate last = TlsProbe.serverCertificate(inbound, null).orElseThrow();
    await()
        .during(Duration.ofSeconds(6))
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                cp.get("/meshes/%s/dataplanes/rev-1/_config".formatted(MESH)).status() == 200
                    && metric(cp, "kodiak_workload_certificates_issued_total") == issued
                    && metric(cp, "kodiak_workload_certificates") == 0
                    && TlsProbe.serverCertificate(inbound, null)
                        .map(c -> c.getSerialNumber().equals(last.getSerialNumber()))
                        .orElse(false));
    assertThat(last.getNotAfter().toInstant()).isBefore(Instant.now());
  }

  private static long metric(RunningControlPlane cp, String name) throws Exception {
    String text =
        HTTP.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + cp.controlPlane().diagnosticsPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher value =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? (\\S+)$").matcher(text);
    assertThat(value.find()).as(name + " in\n" + text).isTrue();
    return (long) Double.parseDouble(value.group(1));
  }
}
