package io.kodiak.e2e.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kodiak.e2e.support.ControlPlaneProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code kodiak-cp} with a 96 MiB heap, filled with large Secrets: its heap headroom
 * shrinks, it logs a warning, then refuses creates with 507 in Kuma's error shape instead of
 * stalling in garbage collection, keeps serving reads and unchanged writes, exports its heap
 * headroom, and takes writes again once deletes made room.
 */
class HeapCapacityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_SECRETS = 2_000; // 2,000 x 192 KiB could never fit in 96 MiB

  /** The guard's warning line, which comes before it refuses anything. */
  private static final String WARNING = "writes are refused from";

  private static final String REFUSING = "heap: refusing creates and updates";
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @TempDir Path dir;
  private String token;
  private ControlPlaneProcess cp;

  @Test
  void aFullHeapRefusesWritesWith507AndKeepsServingReads() throws Exception {
    Path data = dir.resolve("data");
    Path log = dir.resolve("cp.log");
    try (ControlPlaneProcess started = ControlPlaneProcess.startWithHeap(data, log, "96m")) {
      cp = started;
      token = Files.readString(data.resolve("admin-token")).trim();
      long emptyHeadroom = headroomBytes(metrics(log));
      HttpResponse<String> refused = null;
      int stored = 0;
      while (stored < MAX_SECRETS) {
        HttpResponse<String> res =
            send("PUT", "/meshes/default/secrets/s-" + stored, secret(stored));
        if (res.statusCode() != 201) {
          refused = res;
          break;
        }
        stored++;
      }
      assertThat(refused).as("no write was refused in %d", MAX_SECRETS).isNotNull();
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(507);
      JsonNode problem = JSON.readTree(refused.body());
      assertThat(problem.path("title").asText()).isEqualTo("Insufficient Storage");
      assertThat(problem.path("detail").asText())
          .contains("heap")
          .contains("KODIAK_CP_MAX_HEAP")
          .contains("resources stored");
      assertThat(cp.isAlive()).isTrue();

      assertThat(send("GET", "/meshes/default/secrets/s-0", null).statusCode()).isEqualTo(200);
      // Writing what is already stored costs nothing (a proxy registering again after a restart).
      assertThat(send("PUT", "/meshes/default/secrets/s-0", secret(0)).statusCode()).isEqualTo(200);
      assertThat(send("GET", "/meshes/default/secrets?size=5", null).statusCode()).isEqualTo(200);
      String metrics = metrics(log);
      assertThat(metrics)
          .containsPattern("(?m)^kodiak_heap_headroom_bytes\\{.*} \\d")
          .containsPattern("(?m)^kodiak_writes_refused_total(\\{.*})? [1-9]");
      assertThat(headroomBytes(metrics))
          .as("kodiak_heap_headroom_bytes after filling")
          .isLessThan(emptyHeadroom - (16L << 20));
      List<String> lines = Files.readAllLines(log);
      int warning = firstLine(lines, WARNING);
      int refusing = firstLine(lines, REFUSING);
      assertThat(refusing).as("no refusal logged: %s", heapLines(lines)).isNotNegative();
      assertThat(warning)
          .as("the warning comes before the first refusal: %s", heapLines(lines))
          .isNotNegative()
          .isLessThan(refusing);
      assertThat(lines.get(warning))
          .contains(" WARN ")
          .contains("resources stored")
          .contains("KODIAK_CP_MAX_HEAP")
          .doesNotContain(REFUSING);

      for (int i = 0; i < stored; i++) {
        assertThat(send("DELETE", "/meshes/default/secrets/s-" + i, null).statusCode())
            .isEqualTo(200);
      }
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> send("PUT", "/meshes/default/secrets/after", secret(0)).statusCode() == 201);
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(
            "writes stayed refused after every Secret was deleted; heap lines of the log:\n"
                + String.join("\n", heapLines(Files.readAllLines(log))),
            e);
      }
      assertThat(Files.readString(log)).contains("heap: accepting writes again");
    }
  }

  private static List<String> heapLines(List<String> lines) {
    return lines.stream().filter(l -> l.contains("heap: ")).toList();
  }

  private static int firstLine(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i;
      }
    }
    return -1;
  }

  private static long headroomBytes(String metrics) {
    Matcher value =
        Pattern.compile("(?m)^kodiak_heap_headroom_bytes\\{.*} (\\S+)$").matcher(metrics);
    assertThat(value.find()).as(metrics).isTrue();
    return (long) Double.parseDouble(value.group(1));
  }

  /** A Secret of 192 KiB (256 KiB of base64), so the heap fills in a few hundred writes. */
  private static String secret(int i) {
    byte[] bytes = new byte[192 << 10];
    for (int b = 0; b < bytes.length; b++) {
      bytes[b] = (byte) (b * 31 + i);
    }
    return "{\"type\":\"Secret\",\"data\":\"" + Base64.getEncoder().encodeToString(bytes) + "\"}";
  }

  private String metrics(Path log) throws IOException, InterruptedException {
    Matcher port =
        Pattern.compile("metrics on [^:]+:(\\d+)/metrics").matcher(Files.readString(log));
    assertThat(port.find()).isTrue();
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private HttpResponse<String> send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(cp.url() + path))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json");
    req.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }
}
