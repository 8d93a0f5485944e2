package io.kodiak.e2e.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.kodiak.ctl.KodiakCtl;
import io.kodiak.demo.DemoApp;
import io.kodiak.e2e.support.AgentProcess;
import io.kodiak.e2e.support.ControlPlaneProcess;
import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.ProxyStatus;
import io.kodiak.e2e.support.Running;
import io.kodiak.e2e.support.Traffic;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup and restore with kodiakctl: the stock default mesh with mTLS, a permission and a policy of
 * its own, two real Envoys carrying traffic; {@code kodiakctl export --include-admin} of it, the
 * control plane stopped and replaced by an empty one (its data directory new, only the dp-server's
 * cp-*.pem files kept), {@code kodiakctl apply -f} of the export. The same Envoys, never restarted,
 * come back with their dataplane tokens still valid, certificates from the same mesh CA with the
 * same SPIFFE identities, and traffic flows again; a second export equals the first.
 */
class ExportRestoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SOON = Duration.ofSeconds(60);
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final Running running = new Running();

  @TempDir Path dir;

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  @Test
  void anExportRestoredIntoAnEmptyControlPlaneKeepsTheMeshAndTheProxiesIdentities()
      throws Exception {
    int apiPort = Ports.free();
    int dpPort = Ports.free();
    ControlPlaneProcess first =
        ControlPlaneProcess.start(dir.resolve("first"), dir.resolve("first.log"), apiPort, dpPort);
    running.add(first::close);
    String token = Files.readString(dir.resolve("first/admin-token")).trim();
    await()
        .atMost(SOON)
        .until(() -> status("GET", first.url() + "/meshes/default", null, null) == 200);
    put(
        first,
        token,
        "/meshes/default",
        "{\"type\": \"Mesh\", \"name\": \"default\", \"mtls\": {\"enabledBackend\": \"ca-1\","
            + " \"backends\": [{\"name\": \"ca-1\", \"type\": \"builtin\"}]}}");
    put(
        first,
        token,
        "/meshes/default/meshtrafficpermissions/allow-all",
        "{\"type\": \"MeshTrafficPermission\", \"mesh\": \"default\", \"name\": \"allow-all\","
            + " \"spec\": {\"targetRef\": {\"kind\": \"Mesh\"}, \"from\": [{\"targetRef\":"
            + " {\"kind\": \"Mesh\"}, \"default\": {\"action\": \"Allow\"}}]}}");
    put(
        first,
        token,
        "/meshes/default/meshtimeouts/backend-idle",
        "{\"type\": \"MeshTimeout\", \"mesh\": \"default\", \"name\": \"backend-idle\", \"spec\":"
            + " {\"targetRef\": {\"kind\": \"Mesh\"}, \"to\": [{\"targetRef\": {\"kind\":"
            + " \"MeshService\", \"name\": \"backend\"}, \"default\": {\"idleTimeout\": \"42s\"}}]}}");

    int app = Ports.free();
    HttpServer server = DemoApp.backend(app, "backend-1");
    running.add(() -> server.stop(0));
    int backendAdmin = Ports.free();
    agent(first, token, "backend-1", "backend", Ports.free(), app, backendAdmin, Map.of());
    int out = Ports.free();
    int clientAdmin = Ports.free();
    agent(
        first,
        token,
        "client-1",
        "client",
        Ports.free(),
        Ports.free(),
        clientAdmin,
        Map.of("backend", out));
    await().atMost(SOON).until(() -> Traffic.get(out, "/").status() == 200);
    await().atMost(SOON).until(() -> workloadCert(backendAdmin).caSerial() != null);
    Identity backendBefore = workloadCert(backendAdmin);
    Identity clientBefore = workloadCert(clientAdmin);

    // an export without the admin token of Secrets is refused; without Secrets it has none
    Path anonymous = contexts("anonymous", first.url(), null);
    CliResult refused = ctl(anonymous, "export", "--include-admin");
    assertThat(refused.code()).isNotZero();
    assertThat(refused.out()).isEmpty();
    assertThat(refused.err()).contains("Secret");
    Path admin = contexts("first", first.url(), token);
    CliResult plain = ctl(admin, "export");
    assertThat(plain.code()).as(plain.err()).isZero();
    assertThat(plain.out()).doesNotContain("type: Secret").doesNotContain("ca-builtin");

    CliResult exported = ctl(admin, "export", "--include-admin");
    assertThat(exported.code()).as(exported.err()).isZero();
    assertThat(exported.out())
        .contains("type: Mesh")
        .contains("default.ca-builtin-key-ca-1")
        .contains("name: backend-idle")
        .contains("name: allow-all")
        .contains("name: backend-1")
        .doesNotContain("creationTime");
    assertThat(exported.err()).contains("Secrets included");
    Path backup = dir.resolve("backup.yaml");
    Files.writeString(backup, exported.out());

    // the control plane is replaced by an empty one on the same ports, with the dp-server's TLS
    first.close();
    Files.createDirectories(dir.resolve("second"));
    for (String file : List.of("cp-ca.pem", "cp-ca-key.pem", "cp-tls.pem", "cp-tls-key.pem")) {
      Files.copy(dir.resolve("first").resolve(file), dir.resolve("second").resolve(file));
    }
    ControlPlaneProcess second =
        ControlPlaneProcess.start(
            dir.resolve("second"), dir.resolve("second.log"), apiPort, dpPort);
    running.add(second::close);
    String secondToken = Files.readString(dir.resolve("second/admin-token")).trim();
    assertThat(secondToken).isNotEqualTo(token);
    Path restoring = contexts("second", second.url(), secondToken);
    CliResult applied = ctl(restoring, "apply", "-f", backup.toString());
    assertThat(applied.code()).as(applied.err()).isZero();
    assertThat(applied.out())
        .contains("Secret \"default.ca-builtin-cert-ca-1\" in mesh \"default\" configured")
        .contains("MeshTimeout \"backend-idle\" in mesh \"default\" created");

    // the same Envoys are back, with their old tokens, on certificates of the same CA
    for (String proxy : List.of("backend-1", "client-1")) {
      await().atMost(SOON).until(() -> ProxyStatus.online(second.url(), proxy));
    }
    for (int adminPort : List.of(backendAdmin, clientAdmin)) {
      Identity before = adminPort == backendAdmin ? backendBefore : clientBefore;
      await() // a certificate the restored control plane issued, from the same CA, same SPIFFE ID
          .atMost(SOON)
          .until(
              () -> {
                Identity now = workloadCert(adminPort);
                return now.sameIdentity(before) && !now.serial().equals(before.serial());
              });
    }
    await().atMost(SOON).until(() -> Traffic.get(out, "/").status() == 200);
    assertThat(Files.readString(dir.resolve("second.log"))).doesNotContain(token);

    CliResult again = ctl(restoring, "export", "--include-admin");
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(documents(again.out())).isEqualTo(documents(exported.out()));
  }

  /**
   * What identifies a proxy's mTLS: its certificate's URIs and the CAs it trusts; and the serial of
   * that certificate, which changes when another control plane issues it.
   */
  private record Identity(List<String> uris, String caSerial, String serial) {
    boolean sameIdentity(Identity other) {
      return uris.equals(other.uris) && Objects.equals(caSerial, other.caSerial);
    }
  }

  private Identity workloadCert(int adminPort) throws Exception {
    JsonNode certs = JSON.readTree(get("http://127.0.0.1:" + adminPort + "/certs"));
    for (JsonNode entry : certs.path("certificates")) {
      JsonNode chain = entry.path("cert_chain");
      JsonNode roots = entry.path("ca_cert");
      if (!chain.isEmpty() && !roots.isEmpty()) {
        List<String> uris = new ArrayList<>();
        chain.get(0).path("subject_alt_names").forEach(san -> uris.add(san.path("uri").asText()));
        TreeSet<String> serials = new TreeSet<>();
        roots.forEach(root -> serials.add(root.path("serial_number").asText()));
        return new Identity(
            uris, String.join(",", serials), chain.get(0).path("serial_number").asText());
      }
    }
    return new Identity(List.of(), null, null);
  }

  /** Each exported document, whatever their order (Dataplanes re-registered may move). */
  private static TreeSet<String> documents(String yaml) {
    TreeSet<String> out = new TreeSet<>();
    for (String doc : yaml.split("(?m)^---$")) {
      if (!doc.isBlank()) {
        out.add(doc.strip());
      }
    }
    return out;
  }

  private void agent(
      ControlPlaneProcess cp,
      String token,
      String name,
      String service,
      int inbound,
      int app,
      int admin,
      Map<String, Integer> outs)
      throws Exception {
    String yaml = Dataplanes.yaml("default", name, service, "http", inbound, app, admin, outs);
    String dpToken =
        send(
                "POST",
                cp.url() + "/tokens/dataplane",
                "{\"mesh\": \"default\", \"name\": \"" + name + "\"}",
                token)
            .body();
    running.add(
        AgentProcess.start(
            cp.dpServerUrl(),
            dir.resolve("first/cp-ca.pem"),
            dpToken,
            yaml,
            admin,
            dir.resolve(name)));
  }

  private record CliResult(int code, String out, String err) {}

  private static CliResult ctl(Path contexts, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--config-file", contexts.toString()));
    all.addAll(List.of(args));
    int code =
        KodiakCtl.execute(
            new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new CliResult(code, out.toString(), err.toString());
  }

  private Path contexts(String name, String url, String token) throws IOException {
    Path file = dir.resolve("ctl-" + name + "/config");
    Files.createDirectories(file.getParent());
    List<String> args =
        new ArrayList<>(
            List.of("config", "control-planes", "add", "--name", name, "--address", url));
    if (token != null) {
      Path tokenFile = dir.resolve("ctl-" + name + "/token");
      Files.writeString(tokenFile, token);
      args.addAll(List.of("--auth-token-file", tokenFile.toString()));
    }
    CliResult added = ctl(file, args.toArray(String[]::new));
    assertThat(added.code()).as(added.err()).isZero();
    return file;
  }

  private void put(ControlPlaneProcess cp, String token, String path, String body)
      throws Exception {
    HttpResponse<String> res = send("PUT", cp.url() + path, body, token);
    assertThat(res.statusCode()).as(path + ": " + res.body()).isIn(200, 201);
  }

  private String get(String url) throws Exception {
    return send("GET", url, null, null).body();
  }

  private int status(String method, String url, String body, String token) throws Exception {
    return send(method, url, body, token).statusCode();
  }

  private HttpResponse<String> send(String method, String url, String body, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (token != null) {
      req.header("Authorization", "Bearer " + token);
    }
    return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }
}
