package io.kodiak.e2e.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.e2e.support.ControlPlaneProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code kodiak-cp} on a data directory that was used and then damaged: it refuses to
 * start, names what is missing and how to recover, and touches nothing; {@code --start-fresh}
 * accepts the loss. A directory never used still starts as a first start.
 */
class DamagedDataDirectoryTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  /** One data directory used once (a mesh "kept" stored), copied for each test. */
  @TempDir static Path used;

  @TempDir Path dir;
  private Path data;
  private Path log;

  @BeforeAll
  static void useADirectoryOnce() throws Exception {
    try (ControlPlaneProcess cp =
        ControlPlaneProcess.start(used.resolve("data"), used.resolve("cp.log"))) {
      assertThat(
              status(
                  cp,
                  used.resolve("data"),
                  "PUT",
                  "/meshes/kept",
                  "{\"type\":\"Mesh\",\"name\":\"kept\"}"))
          .isEqualTo(201);
    }
  }

  @BeforeEach
  void copyTheUsedDirectory() throws IOException {
    data = dir.resolve("data");
    log = dir.resolve("cp.log");
    Files.createDirectories(data);
    try (Stream<Path> files = Files.list(used.resolve("data"))) {
      for (Path file : files.toList()) {
        Files.copy(file, data.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }

  @Test
  void aZeroByteStoreIsRefused() throws Exception {
    Files.write(data.resolve("store.db"), new byte[0]);
    ControlPlaneProcess.Exit exit = ControlPlaneProcess.startExpectingExit(data, log);
    assertRefused(exit, "store.db");
    assertThat(exit.output()).contains("empty");
    assertThat(Files.size(data.resolve("store.db"))).isZero();
  }

  @Test
  void aDeletedStoreIsRefused() throws Exception {
    Files.delete(data.resolve("store.db"));
    ControlPlaneProcess.Exit exit = ControlPlaneProcess.startExpectingExit(data, log);
    assertRefused(exit, "store.db");
    assertThat(exit.output()).contains("missing");
    assertThat(data.resolve("store.db")).doesNotExist();
  }

  @Test
  void aDeletedTlsCertificateIsRefusedAndNoNewCaIsMade() throws Exception {
    String ca = Files.readString(data.resolve("cp-ca.pem"));
    Files.delete(data.resolve("cp-tls.pem"));
    ControlPlaneProcess.Exit exit = ControlPlaneProcess.startExpectingExit(data, log);
    assertRefused(exit, "cp-tls.pem");
    assertThat(Files.readString(data.resolve("cp-ca.pem"))).isEqualTo(ca);
    assertThat(data.resolve("cp-tls.pem")).doesNotExist();
  }

  @Test
  void startFreshAcceptsALostStore() throws Exception {
    Files.delete(data.resolve("store.db"));
    try (ControlPlaneProcess cp = ControlPlaneProcess.start(data, log, List.of("--start-fresh"))) {
      assertThat(status(cp, "GET", "/meshes/default", null)).isEqualTo(200);
      assertThat(status(cp, "GET", "/meshes/kept", null)).isEqualTo(404);
    }
    try (ControlPlaneProcess again = ControlPlaneProcess.start(data, log)) {
      assertThat(status(again, "GET", "/meshes/default", null)).isEqualTo(200);
    }
  }

  @Test
  void startFreshReissuesTheTlsCertificateFromTheSameCa() throws Exception {
    String ca = Files.readString(data.resolve("cp-ca.pem"));
    Files.delete(data.resolve("cp-tls.pem"));
    try (ControlPlaneProcess cp = ControlPlaneProcess.start(data, log, List.of("--start-fresh"))) {
      assertThat(status(cp, "GET", "/meshes/kept", null)).isEqualTo(200);
    }
    assertThat(Files.readString(data.resolve("cp-ca.pem"))).isEqualTo(ca);
    assertThat(Files.readString(data.resolve("cp-tls.pem"))).endsWith(ca);
  }

  @Test
  void aDirectoryNeverUsedStartsAsAFirstStart() throws Exception {
    Path fresh = dir.resolve("fresh");
    try (ControlPlaneProcess cp = ControlPlaneProcess.start(fresh, dir.resolve("fresh.log"))) {
      assertThat(status(cp, "GET", "/meshes/default", null)).isEqualTo(200);
    }
    assertThat(fresh.resolve("store.db")).exists();
    assertThat(fresh.resolve("cp-tls.pem")).exists();
  }

  @Test
  void aNewDirectoryWithTheCaOfAnotherControlPlaneStartsWithThatCa() throws Exception {
    Path provisioned = dir.resolve("provisioned");
    Files.createDirectories(provisioned);
    for (String file : List.of("cp-ca.pem", "cp-ca-key.pem")) { // a replica's or a backup's CA
      Files.copy(data.resolve(file), provisioned.resolve(file));
    }
    try (ControlPlaneProcess cp =
        ControlPlaneProcess.start(provisioned, dir.resolve("provisioned.log"))) {
      assertThat(status(cp, "GET", "/meshes/default", null)).isEqualTo(200);
    }
    String ca = Files.readString(data.resolve("cp-ca.pem"));
    assertThat(Files.readString(provisioned.resolve("cp-ca.pem"))).isEqualTo(ca);
    assertThat(Files.readString(provisioned.resolve("cp-tls.pem"))).endsWith(ca);
  }

  @Test
  void aNewDirectoryWithACaCertificateButNotItsKeyIsRefused() throws Exception {
    Path provisioned = dir.resolve("half");
    Files.createDirectories(provisioned);
    Files.copy(data.resolve("cp-ca.pem"), provisioned.resolve("cp-ca.pem"));
    ControlPlaneProcess.Exit exit =
        ControlPlaneProcess.startExpectingExit(provisioned, dir.resolve("half.log"));
    assertThat(exit.code()).as(exit.output()).isNotZero();
    assertThat(exit.output())
        .contains("cp-ca-key.pem is missing")
        .contains("Copy all four cp-*.pem files");
    assertThat(provisioned.resolve("cp-ca-key.pem")).doesNotExist(); // no new CA made
    assertThat(provisioned.resolve("store.db")).doesNotExist();
  }

  private static void assertRefused(ControlPlaneProcess.Exit exit, String file) {
    assertThat(exit.code()).as(exit.output()).isNotZero();
    assertThat(exit.output())
        .contains(file)
        .contains("--start-fresh")
        .doesNotContain("another control plane");
  }

  private int status(ControlPlaneProcess cp, String method, String path, String body)
      throws IOException, InterruptedException {
    return status(cp, data, method, path, body);
  }

  private static int status(
      ControlPlaneProcess cp, Path data, String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(cp.url() + path))
            .timeout(Duration.ofSeconds(10))
            .header(
                "Authorization", "Bearer " + Files.readString(data.resolve("admin-token")).trim())
            .header("Content-Type", "application/json");
    req.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
