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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes while the control plane is killed with SIGKILL, restarts it on the same data directory,
 * and reads everything back: every write that was acknowledged is there, whole.
 */
class CrashRecoveryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @TempDir Path dir;

  @Test
  void everyAcknowledgedWriteSurvivesKillMinusNine() throws Exception {
    Path data = dir.resolve("data");
    Path log = dir.resolve("cp.log");
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    ControlPlaneProcess first = ControlPlaneProcess.start(data, log);
    String token = Files.readString(data.resolve("admin-token")).trim();
    assertThat(put(first.url(), token, "/meshes/crash", "{\"type\":\"Mesh\",\"name\":\"crash\"}"))
        .isEqualTo(201);

    AtomicBoolean stop = new AtomicBoolean();
    Thread writer =
        new Thread(
            () -> {
              for (int i = 0; !stop.get(); i++) {
                String name = "t-" + i;
                String idle = (i % 59 + 1) + "s";
                try {
                  int status =
                      put(
                          first.url(),
                          token,
                          "/meshes/crash/meshtimeouts/" + name,
                          timeout(name, idle));
                  if (status == 201) {
                    acknowledged.put(name, idle);
                  }
                } catch (IOException e) {
                  return; // the process died under us: this write was never acknowledged
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "writer");
    writer.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 150);
    first.kill();
    stop.set(true);
    writer.join();

    try (ControlPlaneProcess second = ControlPlaneProcess.start(data, log)) {
      JsonNode list = get(second.url(), "/meshes/crash/meshtimeouts?size=1000");
      Map<String, String> stored = new ConcurrentHashMap<>();
      for (JsonNode item : list.path("items")) {
        stored.put(item.path("name").asText(), item.at("/spec/to/0/default/idleTimeout").asText());
      }
      stored.remove("mesh-timeout-all-crash");
      assertThat(stored).containsAllEntriesOf(acknowledged);
      // An unacknowledged write may or may not have landed, but never half: each value is whole.
      for (Map.Entry<String, String> entry : stored.entrySet()) {
        int i = Integer.parseInt(entry.getKey().substring(2));
        assertThat(entry.getValue()).isEqualTo((i % 59 + 1) + "s");
      }
      assertThat(get(second.url(), "/meshes/crash").path("name").asText()).isEqualTo("crash");
      assertThat(Files.readString(data.resolve("admin-token")).trim()).isEqualTo(token);
    }
  }

  private static String timeout(String name, String idle) {
    return "{\"type\":\"MeshTimeout\",\"mesh\":\"crash\",\"name\":\""
        + name
        + "\",\"spec\":{\"targetRef\":"
        + "{\"kind\":\"Mesh\"},\"to\":[{\"targetRef\":{\"kind\":\"Mesh\"},\"default\":{\"idleTimeout\":\""
        + idle
        + "\"}}]}}";
  }

  private int put(String url, String token, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(url + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private JsonNode get(String url, String path) throws IOException, InterruptedException {
    HttpResponse<String> res =
        http.send(
            HttpRequest.newBuilder(URI.create(url + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return JSON.readTree(res.body());
  }
}
