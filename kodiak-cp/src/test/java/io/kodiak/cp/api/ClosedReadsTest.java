package io.kodiak.cp.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.cp.testing.RunningControlPlane;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClosedReadsTest {
  @TempDir Path dataDir;

  @Test
  void theConfigSwitchClosesReads() {
    try (var cp =
        RunningControlPlane.start(
            dataDir, Map.of("KODIAK_API_SERVER_READS_REQUIRE_TOKEN", "true"))) {
      assertThat(cp.get("/meshes").status()).isEqualTo(401);
      assertThat(cp.send("GET", "/meshes", null, cp.adminToken()).status()).isEqualTo(200);
    }
  }

  @Test
  void configIsServedAndSaysWhatIsInEffect() {
    try (var cp = RunningControlPlane.start(dataDir)) {
      var config = cp.get("/config").json();
      assertThat(config.at("/apiServer/http/port").asInt()).isZero();
      assertThat(config.at("/store/type").asText()).isEqualTo("embedded");
    }
  }
}
