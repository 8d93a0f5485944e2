package io.kodiak.e2e.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.e2e.support.Dataplanes;
import io.kodiak.e2e.support.Ports;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The launchers in {@code bin/}, run as a user runs them: {@code ~} is {@code $HOME} for all three
 * programs (not the password file's home, which is what the JVM's user.home says), and {@code
 * --help} on a command prints its usage and exits 0.
 */
class LaunchersTest {
  private static final Path BIN = Path.of("../bin").toAbsolutePath().normalize();
  @TempDir Path home;
  @TempDir Path work;

  @Test
  void theControlPlaneTheCliAndTheAgentKeepTildeUnderHome() throws Exception {
    int api = Ports.free();
    int dpServer = Ports.free();
    Path cpLog = work.resolve("cp.log");
    ProcessBuilder cpBuilder =
        launcher("kodiak-cp", "run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(cpLog.toFile()));
    cpBuilder
        .environment()
        .putAll(
            Map.of(
                "KODIAK_API_SERVER_HTTP_PORT",
                String.valueOf(api),
                "KODIAK_API_SERVER_HTTP_INTERFACE",
                "127.0.0.1",
                "KODIAK_DP_SERVER_PORT",
                String.valueOf(dpServer),
                "KODIAK_DP_SERVER_INTERFACE",
                "127.0.0.1",
                "KODIAK_API_SERVER_HTTPS_PORT",
                "0",
                "KODIAK_DIAGNOSTICS_PORT",
                "0"));
    cpBuilder.environment().remove("KODIAK_DATA_DIR");
    Process cp = cpBuilder.start();
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !cp.isAlive() || answers("http://127.0.0.1:" + api + "/"));
      assertThat(cp.isAlive()).as(Files.readString(cpLog)).isTrue();
      Path data = home.resolve(".kodiak");
      assertThat(data.resolve("store.db")).exists();
      assertThat(data.resolve("admin-token")).exists();
      assertThat(data.resolve("cp-ca.pem")).exists();

      // kodiakctl's ~/.kodiak/config is under $HOME too
      Result added =
          run(
              launcher(
                  "kodiakctl",
                  "config",
                  "control-planes",
                  "add",
                  "--name",
                  "here",
                  "--address",
                  "http://127.0.0.1:" + api,
                  "--auth-token-file",
                  data.resolve("admin-token").toString()));
      assertThat(added.code()).as(added.output()).isZero();
      assertThat(data.resolve("config")).content().contains("here");
      Result meshes = run(launcher("kodiakctl", "get", "meshes"));
      assertThat(meshes.code()).as(meshes.output()).isZero();
      assertThat(meshes.output()).contains("default");

      // the agent finds the control plane's CA at ~/.kodiak/cp-ca.pem: TLS works, and the refusal
      // is about the missing token
      Path dataplane = work.resolve("dp.yaml");
      Files.writeString(
          dataplane,
          Dataplanes.yaml(
              "default",
              "home-1",
              "home",
              "http",
              Ports.free(),
              Ports.free(),
              Ports.free(),
              Map.of()));
      Result agent =
          run(
              launcher(
                  "kodiak-dp",
                  "run",
                  "--cp-address",
                  "https://127.0.0.1:" + dpServer,
                  "--dataplane-file",
                  dataplane.toString(),
                  "--readiness-port",
                  "0",
                  "--metrics-port",
                  "-1"));
      assertThat(agent.output()).doesNotContain("failed TLS verification").contains("(HTTP 401)");
      assertThat(agent.code()).as(agent.output()).isEqualTo(1);
    } finally {
      cp.destroy();
      cp.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "kodiak-dp, run",
    "kodiak-dp, ''",
    "kodiak-cp, run",
    "kodiak-cp, ''",
    "kodiakctl, get",
    "kodiakctl, apply",
    "kodiakctl, ''"
  })
  void helpPrintsUsageAndExitsZero(String program, String command) throws Exception {
    List<String> args = new ArrayList<>();
    if (!command.isEmpty()) {
      args.add(command);
    }
    args.add("--help");
    Result help = run(launcher(program, args.toArray(String[]::new)));
    assertThat(help.code()).as(help.output()).isZero();
    assertThat(help.output())
        .contains("Usage: " + (program + " " + command).trim())
        .doesNotContain("Missing required");
  }

  private ProcessBuilder launcher(String program, String... args) {
    List<String> command = new ArrayList<>(List.of(BIN.resolve(program).toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
    builder.environment().put("HOME", home.toString());
    return builder;
  }

  private static Result run(ProcessBuilder builder) throws Exception {
    Process process = builder.redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private static boolean answers(String url) {
    try {
      return HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private record Result(int code, String output) {}
}
