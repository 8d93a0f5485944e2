package io.kodiak.e2e.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Envoy;
import io.kodiak.e2e.support.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the agent and the dp-server from a proxy that holds a valid token (a stranger is
 * refused before its input is read: see the security tests): each is refused with a clear error at
 * the right place.
 */
class AgentBadInputTest {
  @TempDir static Path dir;
  static RunningControlPlane cp;

  @BeforeAll
  static void start() {
    cp = RunningControlPlane.start(dir.resolve("cp"));
  }

  @AfterAll
  static void stop() {
    cp.close();
  }

  @Test
  void aMissingOrNonExecutableEnvoyIsNamed() throws Exception {
    Path file =
        write(
            "dp.yaml",
            Dataplanes.yaml(
                "default", "x", "x", "http", Ports.free(), Ports.free(), Ports.free(), Map.of()));
    Result missing = run(file, "--binary-path", "/nonexistent/envoy");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.output())
        .contains("Envoy binary /nonexistent/envoy (from --binary-path) does not exist");
    Path notExecutable = write("envoy", "#!/bin/sh\n");
    Result refused = run(file, "--binary-path", notExecutable.toString());
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.output()).contains("is not executable");
  }

  @Test
  void anInvalidDataplaneIsRefusedWithEveryViolation() throws Exception {
    Path file =
        write(
            "colliding.yaml",
            """
        type: Dataplane
        mesh: default
        name: colliding
        networking:
          address: 127.0.0.1
          inbound:
            - port: 20001
              tags: {kuma.io/service: a}
            - port: 20001
              tags: {kuma.io/service: b}
        """);
    Result result =
        run(
            file,
            "--binary-path",
            Envoy.binary().toString(),
            "--dataplane-token-file",
            tokenFile("colliding").toString());
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.output())
        .contains("the control plane refused Dataplane default.colliding (HTTP 400)")
        .contains("* networking.inbound[1].port: port 20001 is already used by another inbound");
    assertThat(cp.get("/meshes/default/dataplanes/colliding").status()).isEqualTo(404);
  }

  @Test
  void aControlPlaneWhoseCertificateDoesNotMatchTheCaIsRefused() throws Exception {
    io.kodiak.ca.CertificateAuthority stranger =
        io.kodiak.ca.CertificateAuthority.generate(
            "stranger",
            io.kodiak.ca.CertificateAuthority.KeyType.EC_P256,
            java.time.Duration.ofDays(1),
            java.time.Instant.now());
    Path wrongCa = write("wrong-ca.pem", stranger.certificatePem());
    Path file =
        write(
            "tls.yaml",
            Dataplanes.yaml(
                "default",
                "tls-1",
                "a",
                "http",
                Ports.free(),
                Ports.free(),
                Ports.free(),
                Map.of()));
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process =
        new ProcessBuilder(
                java,
                "-cp",
                "../kodiak-dp/target/kodiak-dp.jar:../kodiak-dp/target/lib/*",
                "io.kodiak.dp.KodiakDp",
                "run",
                "--cp-address",
                cp.dpServerUrl(),
                "--dataplane-file",
                file.toString(),
                "--readiness-port",
                "0",
                "--metrics-port",
                "0",
                "--ca-cert-file",
                wrongCa.toString(),
                "--binary-path",
                Envoy.binary().toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(1);
    assertThat(output).contains("failed TLS verification");
    assertThat(cp.dpServerUrl()).startsWith("https://");
  }

  @Test
  void anUnknownMeshIsRefused() throws Exception {
    Path file =
        write(
            "nomesh.yaml",
            Dataplanes.yaml(
                "nope", "lost", "a", "http", Ports.free(), Ports.free(), Ports.free(), Map.of()));
    // a token of another mesh: no token can be valid for a mesh that does not exist
    Result result =
        run(
            file,
            "--binary-path",
            Envoy.binary().toString(),
            "--dataplane-token-file",
            tokenFile("lost").toString());
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.output()).contains("(HTTP 401)", "mesh \"nope\"");
    assertThat(cp.get("/meshes/nope/dataplanes/lost").status()).isEqualTo(404);
  }

  @Test
  void aBootstrapWhoseNameDisagreesWithItsDataplaneIsRefused() {
    String dataplane =
        "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"real\",\"networking\":{\"address\":"
            + "\"127.0.0.1\",\"inbound\":[{\"port\":1,\"tags\":{\"kuma.io/service\":\"a\"}}]}}";
    String body =
        "{\"mesh\":\"default\",\"name\":\"other\",\"dataplaneResource\":"
            + quote(dataplane)
            + ",\"dataplaneToken\":"
            + quote(meshToken())
            + "}";
    var reply = post(body);
    assertThat(reply.statusCode()).isEqualTo(400);
    assertThat(reply.body())
        .contains("\\\"other\\\" does not match the Dataplane's name \\\"real\\\"");
  }

  @Test
  void anUnknownDataplaneWithoutAResourceIsNotFoundSoTheAgentRetries() {
    var reply =
        post(
            "{\"mesh\":\"default\",\"name\":\"not-yet\",\"dataplaneToken\":"
                + quote(meshToken())
                + "}");
    assertThat(reply.statusCode()).isEqualTo(404);
  }

  private java.net.http.HttpResponse<String> post(String body) {
    try {
      return cp.dpServerClient()
          .send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(cp.dpServerUrl() + "/bootstrap"))
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A token for any proxy of mesh default. */
  private static String meshToken() {
    var reply = cp.send("POST", "/tokens/dataplane", "{\"mesh\": \"default\"}", cp.adminToken());
    assertThat(reply.status()).isEqualTo(200);
    return reply.body();
  }

  private static Path tokenFile(String name) throws Exception {
    return write(name + ".token", cp.dataplaneToken("default", name));
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private Result run(Path dataplane, String... extra) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                java,
                "-cp",
                "../kodiak-dp/target/kodiak-dp.jar:../kodiak-dp/target/lib/*",
                "io.kodiak.dp.KodiakDp",
                "run",
                "--cp-address",
                cp.dpServerUrl(),
                "--dataplane-file",
                dataplane.toString(),
                "--readiness-port",
                "0",
                "--metrics-port",
                "0",
                "--ca-cert-file",
                cp.caCertFile().toString()));
    command.addAll(List.of(extra));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private record Result(int code, String output) {}
}
