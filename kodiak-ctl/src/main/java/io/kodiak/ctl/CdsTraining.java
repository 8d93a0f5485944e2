package io.kodiak.ctl;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Exercises the CLI's common paths in one JVM so the build can record a class-data-sharing archive
 * ({@code -XX:ArchiveClassesAtExit}); that archive is what makes {@code kodiakctl} start in well
 * under half a second. Talks to nothing: the control-plane address is a closed port.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("kodiakctl-cds");
    Path config = dir.resolve("config");
    Path doc = dir.resolve("mesh.yaml");
    Files.writeString(
        doc, "type: Mesh\nname: {{ name }}\n---\ntype: MeshTimeout\nname: t\nmesh: m\nspec: {}\n");
    PrintStream out = System.out;
    PrintStream err = System.err;
    try (PrintStream sink = new PrintStream(OutputStream.nullOutputStream())) {
      System.setOut(sink);
      System.setErr(sink);
      String cfg = config.toString();
      KodiakCtl.execute(
          "--config-file",
          cfg,
          "config",
          "control-planes",
          "add",
          "--name",
          "training",
          "--address",
          "http://127.0.0.1:1",
          "--skip-verify");
      KodiakCtl.execute(
          "--config-file", cfg, "apply", "--dry-run", "-f", doc.toString(), "-v", "name=m");
      KodiakCtl.execute("--config-file", cfg, "get", "meshes");
      KodiakCtl.execute("--config-file", cfg, "get", "meshes", "-o", "yaml");
      KodiakCtl.execute("--config-file", cfg, "config", "control-planes", "list");
      KodiakCtl.execute("--help");
    } finally {
      System.setOut(out);
      System.setErr(err);
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }
}
