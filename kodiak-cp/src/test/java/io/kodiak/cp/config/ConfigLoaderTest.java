package io.kodiak.cp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kodiak.model.validation.ValidationException;
import io.kodiak.store.postgres.PostgresOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void defaultsFollowKumaPorts() {
    CpConfig config = ConfigLoader.load(Optional.empty(), Map.of());
    assertThat(config.apiServer().http().port()).isEqualTo(5681);
    assertThat(config.store().type()).isEqualTo(CpConfig.StoreType.embedded);
    assertThat(config.dataPath()).isEqualTo(Path.of(System.getProperty("user.home"), ".kodiak"));
  }

  @Test
  void postgresSettingsComeFromTheEnvironmentAndBadOnesNameTheirKey() {
    CpConfig config =
        ConfigLoader.load(
            Optional.empty(),
            Map.of(
                "KODIAK_STORE_TYPE", "postgres",
                "KODIAK_STORE_POSTGRES_HOST", "db.internal",
                "KODIAK_STORE_POSTGRES_PASSWORD", "s3cret-from-env",
                "KODIAK_STORE_POSTGRES_DB_NAME", "mesh",
                "KODIAK_STORE_POSTGRES_TLS_MODE", "verifyFull"));
    var options = config.store().postgres().options();
    assertThat(options.host()).isEqualTo("db.internal");
    assertThat(options.database()).isEqualTo("mesh");
    assertThat(options.tls()).isEqualTo(PostgresOptions.TlsMode.verifyFull);
    assertThat(options.toString()).doesNotContain("s3cret-from-env");
    assertThat(ConfigLoader.toTree(config).toString()).doesNotContain("s3cret-from-env");

    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    Optional.empty(),
                    Map.of(
                        "KODIAK_STORE_TYPE", "postgres",
                        "KODIAK_STORE_POSTGRES_MAX_OPEN_CONNECTIONS", "0")))
        .hasMessageContaining("store.postgres.maxOpenConnections");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    Optional.empty(),
                    Map.of(
                        "KODIAK_STORE_TYPE", "postgres",
                        "KODIAK_STORE_POSTGRES_TLS_MODE", "sometimes")))
        .hasMessageContaining("sometimes");
  }

  @Test
  void fileThenEnvironmentOverride() throws Exception {
    Path file = dir.resolve("cp.yaml");
    Files.writeString(
        file,
        "apiServer:\n  http:\n    port: 7000\n  readsRequireToken: true\nstore:\n  type: memory\n");
    CpConfig config =
        ConfigLoader.load(Optional.of(file), Map.of("KODIAK_API_SERVER_HTTP_PORT", "7001"));
    assertThat(config.apiServer().http().port()).isEqualTo(7001);
    assertThat(config.apiServer().readsRequireToken()).isTrue();
    assertThat(config.store().type()).isEqualTo(CpConfig.StoreType.memory);
  }

  @Test
  void typosAndBadValuesAreErrorsNamingTheKey() throws Exception {
    Path file = dir.resolve("cp.yaml");
    Files.writeString(file, "apiServer:\n  htp:\n    port: 1\n");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    Optional.of(file),
                    Map.of(
                        "KODIAK_API_SERVER_HTTP_PROT",
                        "1",
                        "KODIAK_API_SERVER_HTTP_PORT",
                        "eighty")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("apiServer.htp: unknown setting")
        .hasMessageContaining("KODIAK_API_SERVER_HTTP_PROT: unknown setting")
        .hasMessageContaining("KODIAK_API_SERVER_HTTP_PORT: must be an integer");
  }

  @Test
  void theLeaderLeaseTimingIsKubernetesUsualAndMustLetALeaderGiveUpBeforeItExpires() {
    CpConfig.LeaderElection timing =
        ConfigLoader.load(Optional.empty(), Map.of()).store().kubernetes().leaderElection();
    assertThat(timing.lease()).isEqualTo(Duration.ofSeconds(15));
    assertThat(timing.renew()).isEqualTo(Duration.ofSeconds(10));
    assertThat(timing.retry()).isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    Optional.empty(),
                    Map.of("KODIAK_STORE_KUBERNETES_LEADER_ELECTION_RENEW_DEADLINE", "20s")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("store.kubernetes.leaderElection")
        .hasMessageContaining("retryPeriod < renewDeadline < leaseDuration");
  }

  @Test
  void durationsAreReadWithTheOneParserAndOverflowIsRefused() {
    CpConfig config =
        ConfigLoader.load(Optional.empty(), Map.of("KODIAK_DP_SERVER_DEREGISTRATION_GRACE", "1d"));
    assertThat(config.dpServer().grace()).isEqualTo(Duration.ofDays(1));
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    Optional.empty(), Map.of("KODIAK_XDS_DEBOUNCE", "99999999999999999999h")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(
            "xds.debounce: is longer than the maximum duration 2562047h47m16.854775807s");
  }

  @Test
  void launcherAndLoggingVariablesAreNotMistakenForSettings() {
    CpConfig config =
        ConfigLoader.load(
            Optional.empty(), Map.of("KODIAK_LOG_LEVEL", "DEBUG", "KODIAK_CP_MAX_HEAP", "256m"));
    assertThat(config.apiServer().http().port()).isEqualTo(5681);
  }

  @Test
  void envNamesFollowThePath() {
    assertThat(ConfigLoader.envName("apiServer.readsRequireToken"))
        .isEqualTo("KODIAK_API_SERVER_READS_REQUIRE_TOKEN");
  }
}
