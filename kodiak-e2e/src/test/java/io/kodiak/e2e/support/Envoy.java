package io.kodiak.e2e.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real Envoy binary the Makefile installs into the project's virtualenv. */
public final class Envoy {
  private Envoy() {}

  public static Path binary() {
    Path venv = Path.of("../.venv/bin/envoy").toAbsolutePath().normalize();
    if (Files.isExecutable(venv)) {
      return venv;
    }
    throw new IllegalStateException(
        "Envoy is not installed at "
            + venv
            + ": run 'make setup' (the end-to-end tests "
            + "need the real Envoy; they are not skipped without it)");
  }
}
