package io.kodiak.e2e.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.e2e.support.ControlPlaneProcess;
import io.kodiak.e2e.support.RawAdsStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API and the dp-server against hostile clients, on the real {@code kodiak-cp} program
 * with its real log configuration: credentials in query strings, forged log lines, huge values,
 * malformed bodies from strangers, clients that hang up. Each test reads the log it produced.
 */
class HostileRequestsTest {
  /** What every line of the control plane's log looks like: it starts with its own timestamp. */
  private static final Pattern LOG_LINE =
      Pattern.compile(
          "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (TRACE|DEBUG|INFO |WARN |ERROR) \\[.*");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir static Path dir;
  static ControlPlaneProcess cp;
  static Path log;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    log = dir.resolve("cp.log");
    cp = ControlPlaneProcess.start(dir.resolve("data"), log);
    admin = Files.readString(dir.resolve("data/admin-token")).trim();
  }

  @AfterAll
  static void stop() throws Exception {
    cp.close();
    // the whole run: every line is a real event of the control plane, and nothing was an error
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).allSatisfy(line -> assertThat(line).matches(LOG_LINE));
    assertThat(lines).noneMatch(line -> line.contains(" ERROR "));
    assertThat(Files.readString(log)).doesNotContain(admin);
  }

  @Test
  void credentialsInAQueryStringNeverReachTheLogAndARefusalCostsOneShortLine() throws Exception {
    long before = Files.size(log);
    HttpResponse<String> refused =
        send(
            "PUT",
            "/meshes/default/meshretries/r1?token=" + admin + "&access_token=" + admin,
            "{}",
            null);
    assertThat(refused.statusCode()).isEqualTo(401);
    // the admin token in the wrong place is still not a credential
    assertThat(send("DELETE", "/meshes/default?token=" + admin, null, null).statusCode())
        .isEqualTo(401);
    String written = awaitLogLines(before, "refused ", 2);
    assertThat(written).doesNotContain(admin).doesNotContain("token=");
    assertThat(written.lines().filter(line -> line.contains("refused ")))
        .hasSize(2)
        .allSatisfy(line -> assertThat(line.length()).isLessThan(300));
  }

  @Test
  void aStrangerOnTheXdsStreamIsRefusedWithOneLineAndNoStackTrace() throws Exception {
    long before = Files.size(log);
    try (RawAdsStream stream =
        RawAdsStream.open(
            cp.dpPort(),
            dir.resolve("data/cp-ca.pem"),
            "default.intruder",
            Map.of("dataplane.resource", "{\"type\": \"Dataplane\", \"networking\": {}}"))) {
      Object answer = stream.firstAnswer();
      assertThat(answer).isInstanceOf(Status.class);
      assertThat(((Status) answer).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(((Status) answer).getDescription()).contains("no dataplane token");
    }
    String written = awaitLogLines(before, "default.intruder", 1);
    assertThat(written.lines().filter(line -> line.contains("default.intruder")))
        .hasSize(1)
        .allSatisfy(
            line ->
                assertThat(line).hasSizeLessThan(400).contains("refused proxy default.intruder"));
    assertThat(written).doesNotContain("ERROR").doesNotContain("\tat ");
  }

  @Test
  void strangersAreAskedForTheTokenBeforeTheirBodyIsReadAndTheAnswerNamesNoServerPath()
      throws Exception {
    for (String body : List.of("{bad json", "\u0000\u0001garbage", "")) {
      HttpResponse<String> reply = send("PUT", "/meshes/default/meshretries/r2", body, null);
      assertThat(reply.statusCode()).as(body).isEqualTo(401);
      assertThat(reply.body())
          .doesNotContain("Unexpected character", dir.toString(), "/admin-token");
    }
    assertThat(send("POST", "/tokens/dataplane", "{not json", null).statusCode()).isEqualTo(401);
    assertThat(
            send("PUT", "/meshes/default/meshretries/r2", "{bad json", "not-the-token")
                .statusCode())
        .isEqualTo(401);
    // with the token, the same body is a clear 400
    assertThat(send("PUT", "/meshes/default/meshretries/r2", "{bad json", admin).statusCode())
        .isEqualTo(400);
  }

  @Test
  void newlinesFromOutsideCannotForgeLogLines() throws Exception {
    String forged = "x\n2026-12-01T00:00:00.000Z INFO  [ControlPlane] FORGED admin logged in\r\n";
    HttpResponse<String> badType =
        send(
            "PUT",
            "/meshes/default/meshretries/r3",
            "{\"type\": \"" + jsonEscaped(forged) + "\", \"name\": \"r3\", \"mesh\": \"default\"}",
            admin);
    assertThat(badType.statusCode()).isEqualTo(400);
    String token = send("POST", "/tokens/dataplane", "{\"mesh\": \"default\"}", admin).body();
    HttpResponse<String> badName =
        RunningControlPlane.clientTrusting(dir.resolve("data/cp-ca.pem"))
            .send(
                HttpRequest.newBuilder(URI.create(cp.dpServerUrl() + "/bootstrap"))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"mesh\": \"default\", \"name\": \""
                                + jsonEscaped(forged)
                                + "\", \"dataplaneToken\": \""
                                + token
                                + "\", \"dataplaneResource\": \"{\\\"type\\\": \\\"Dataplane\\\"}\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(badName.statusCode()).isBetween(400, 499);
    assertThat(send("PUT", "/meshes/" + "m%0AFORGED", "{}", admin).statusCode())
        .isGreaterThanOrEqualTo(400);
    await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(log).contains("FORGED"));
    assertThat(Files.readAllLines(log))
        .noneMatch(line -> line.contains("FORGED") && !line.contains("\\n"))
        .allSatisfy(line -> assertThat(line).matches(LOG_LINE));
  }

  @Test
  void aHugeBadValueComesBackCut() throws Exception {
    String huge = "v".repeat(900 * 1024) + "!";
    HttpResponse<String> reply =
        send(
            "PUT",
            "/meshes/default/meshretries/r4",
            "{\"type\": \"MeshRetry\", \"name\": "
                + "\"r4\", \"mesh\": \"default\", \"labels\": {\"team\": \""
                + huge
                + "\"}, \"spec\": {}}",
            admin);
    assertThat(reply.statusCode()).isEqualTo(400);
    assertThat(reply.body().length()).isLessThan(8 * 1024);
    assertThat(reply.body()).contains("labels", "more characters");
    assertThat(Files.size(log)).isLessThan(200 * 1024);
  }

  @Test
  void aClientThatHangsUpMidRequestIsNotAnError() throws Exception {
    long before = Files.size(log);
    try (Socket socket = new Socket("127.0.0.1", cp.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("PUT /meshes/default/meshretries/r5 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + admin
                  + "\r\nContent-Length: 100000\r\n\r\n{\"type\":")
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
    // the control plane still answers, and the hang-up left no ERROR (checked for the whole log
    // after all)
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> send("GET", "/", null, null).statusCode() == 200);
    assertThat(logSince(before)).doesNotContain("ERROR");
  }

  @Test
  void anEmptyAdminTokenFileIsRefusedAtStartNotTreatedAsNoPassword() throws Exception {
    Path data = dir.resolve("empty-token");
    ControlPlaneProcess.start(data, dir.resolve("first.log")).close();
    for (String content : List.of("", "  \n\t\n")) {
      Files.writeString(data.resolve("admin-token"), content);
      Path startLog = dir.resolve("empty-token-" + content.length() + ".log");
      assertThatThrownBy(() -> ControlPlaneProcess.start(data, startLog))
          .hasMessageContaining("exited at start");
      assertThat(Files.readString(startLog)).contains("admin token file", "is empty", "delete it");
    }
  }

  /**
   * Waits until the log after {@code offset} has {@code lines} lines {@code containing} a text;
   * returns it all.
   */
  private static String awaitLogLines(long offset, String containing, int lines) throws Exception {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                logSince(offset).lines().filter(line -> line.contains(containing)).count()
                    >= lines);
    return logSince(offset);
  }

  /** What the control plane logged after byte {@code offset} of its log. */
  private static String logSince(long offset) throws Exception {
    byte[] all = Files.readAllBytes(log);
    return new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> send(String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(cp.url() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      req.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String jsonEscaped(String text) {
    return text.replace("\\", "\\\\")
        .replace("\"", "\\\"")
        .replace("\n", "\\n")
        .replace("\r", "\\r");
  }
}
