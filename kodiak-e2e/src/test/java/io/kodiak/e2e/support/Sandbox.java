package io.kodiak.e2e.support;

import io.kodiak.ctl.testing.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an agent runs: on the host as this JVM's user, or inside a Pod's network namespace as the
 * sidecar's uid. A Pod's agent cannot reach Envoy's admin on the host's loopback, nor read files
 * under the build's home when that is private, so it gets its own readable copies.
 */
interface Sandbox {
  Sandbox HOST = new Host();

  static Sandbox pod(NetworkNamespace pod, int uid, Path dir) {
    return new Pod(pod, uid, dir);
  }

  List<String> wrap(List<String> command);

  String classpath(Path dpTarget);

  Path envoy();

  /** A path to {@code file} the agent can read. */
  Path readable(Path file);

  /** Lets the agent write in {@code dir} (its work directory goes there). */
  void handOver(Path dir) throws IOException;

  String admin(int port, String path);

  final class Host implements Sandbox {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Override
    public List<String> wrap(List<String> command) {
      return command;
    }

    @Override
    public String classpath(Path dpTarget) {
      return dpTarget.resolve("kodiak-dp.jar") + ":" + dpTarget.resolve("lib") + "/*";
    }

    @Override
    public Path envoy() {
      return Envoy.binary();
    }

    @Override
    public Path readable(Path file) {
      return file;
    }

    @Override
    public void handOver(Path dir) {}

    @Override
    public String admin(int port, String path) {
      try {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + path))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  final class Pod implements Sandbox {
    private final NetworkNamespace pod;
    private final int uid;
    private final Path bin;

    Pod(NetworkNamespace pod, int uid, Path dir) {
      this.pod = pod;
      this.uid = uid;
      this.bin = dir.resolve("bin");
      try {
        Files.createDirectories(bin);
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
          if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
            throw new IllegalStateException(
                p + " is not searchable by others: uid " + uid + " could not reach " + dir);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public List<String> wrap(List<String> command) {
      String id = String.valueOf(uid);
      List<String> wrapped =
          new ArrayList<>(
              List.of(
                  "ip",
                  "netns",
                  "exec",
                  pod.name(),
                  "setpriv",
                  "--reuid",
                  id,
                  "--regid",
                  id,
                  "--clear-groups"));
      wrapped.addAll(command);
      return wrapped;
    }

    @Override
    public String classpath(Path dpTarget) {
      Path lib = bin.resolve("lib");
      try {
        Files.createDirectories(lib);
        link(dpTarget.resolve("kodiak-dp.jar"), bin.resolve("kodiak-dp.jar"));
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dpTarget.resolve("lib"))) {
          for (Path jar : jars) {
            link(jar, lib.resolve(jar.getFileName()));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bin.resolve("kodiak-dp.jar") + ":" + lib + "/*";
    }

    /** The Envoy executable itself: the launcher script in the venv runs the build's Python. */
    @Override
    public Path envoy() {
      try (DirectoryStream<Path> pythons =
          Files.newDirectoryStream(Envoy.binary().getParent().getParent().resolve("lib"))) {
        for (Path python : pythons) {
          Path real = python.resolve("site-packages/envoy/_bin/envoy");
          if (Files.isExecutable(real)) {
            Path copy = bin.resolve("envoy");
            link(real, copy);
            return copy;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      throw new IllegalStateException("no envoy/_bin/envoy in the venv's site-packages");
    }

    @Override
    public Path readable(Path file) {
      Path copy = bin.resolve(file.getFileName());
      try {
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        return copy;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void handOver(Path dir) throws IOException {
      // Not recursive: bin/ holds hard links, and chown would change the originals.
      Files.setAttribute(dir, "unix:uid", uid);
      Files.setAttribute(dir, "unix:gid", uid);
    }

    @Override
    public String admin(int port, String path) {
      try {
        return pod.exec(
            List.of("curl", "-sS", "--max-time", "5", "http://127.0.0.1:" + port + "/" + path));
      } catch (IllegalStateException e) { // curl failed: not answering (yet)
        throw new UncheckedIOException(new IOException(e.getMessage(), e));
      }
    }

    /** A hard link when on the same file system (no copy of Envoy's 100 MB), else a copy. */
    private static void link(Path original, Path link) throws IOException {
      if (Files.exists(link)) {
        return;
      }
      try {
        Files.createLink(link, original);
      } catch (IOException | UnsupportedOperationException e) {
        Files.copy(original, link);
      }
    }
  }
}
