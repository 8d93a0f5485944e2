package io.kodiak.ctl.testing;

import io.kodiak.ctl.KodiakCtl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * This build's kodiakctl, in a fresh JVM as root inside a network namespace (an init container).
 */
public final class KodiakctlInNamespace {
  private KodiakctlInNamespace() {}

  /**
   * Runs {@code kodiakctl <arguments>} inside {@code namespace}; its output, failing on an error.
   */
  public static String run(NetworkNamespace namespace, List<String> arguments) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                KodiakCtl.class.getName()));
    command.addAll(arguments);
    return namespace.exec(command);
  }
}
