package io.kodiak.store.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for one test class: Debian's binaries, a fresh data directory under
 * /tmp, password authentication, listening on 127.0.0.1 at a free port only. Run as root, the
 * server runs as the {@code postgres} user (PostgreSQL refuses root). {@link #close} stops it and
 * removes its directory.
 */
public final class PostgresServer implements AutoCloseable {
  public static final String USER = "kodiak";

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final String password;

  private PostgresServer(Path bin, Path dir, int port, String password) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.password = password;
  }

  /** Whether this machine has PostgreSQL's server binaries (`make setup` installs them). */
  public static Optional<Path> binaries() {
    Path lib = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> versions = Files.list(lib)) {
        Optional<Path> newest =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName() + "")));
        if (newest.isPresent()) {
          return newest;
        }
      } catch (IOException | NumberFormatException e) {
        // fall through to PATH
      }
    }
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .map(Path::of)
        .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
        .findFirst();
  }

  /** Initializes and starts a server; fails with what to install when the binaries are missing. */
  public static PostgresServer start() {
    Path bin =
        binaries()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "PostgreSQL is not installed: run `make setup` (apt-get install postgresql)"));
    try {
      Path dir = Files.createTempDirectory("kodiak-pg");
      byte[] secret = new byte[16];
      new SecureRandom().nextBytes(secret);
      PostgresServer server =
          new PostgresServer(bin, dir, freePort(), HexFormat.of().formatHex(secret));
      server.init();
      server.startServer();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("could not start PostgreSQL: " + e.getMessage(), e);
    }
  }

  public int port() {
    return port;
  }

  public String password() {
    return password;
  }

  public String host() {
    return "127.0.0.1";
  }

  /** Creates an empty database owned by {@link #USER}. */
  public void createDatabase(String name) {
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE \"" + name + "\"");
    } catch (SQLException e) {
      throw new IllegalStateException("CREATE DATABASE " + name + ": " + e.getMessage(), e);
    }
  }

  /** A superuser connection for tests that look at or tamper with the tables directly. */
  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://" + host() + ":" + port + "/" + database, USER, password);
  }

  /** Stops the server at once (no checkpoint, as on a crash); {@link #restart} brings it back. */
  public void crash() {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-m",
            "immediate",
            "-w",
            "stop"));
  }

  public void restart() {
    startServer();
  }

  @Override
  public void close() {
    try {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        run(
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-m",
                "fast",
                "-w",
                "stop"));
      }
    } finally {
      deleteTree(dir);
    }
  }

  private void init() throws IOException {
    Path pwfile = dir.resolve("pwfile");
    Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
    handToServerUser(dir);
    handToServerUser(pwfile);
    run(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            USER,
            "--pwfile=" + pwfile,
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C"));
    Files.delete(pwfile);
  }

  private void startServer() {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            dir.resolve("server.log").toString(),
            "-o",
            "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=200",
            "-w",
            "-t",
            "60",
            "start"));
  }

  private static boolean asRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void handToServerUser(Path path) throws IOException {
    if (asRoot()) {
      exec(List.of("chown", "postgres:postgres", path.toString()));
    }
  }

  /** Runs a PostgreSQL program, as the postgres user when we are root. */
  private static void run(List<String> command) {
    List<String> full = new ArrayList<>();
    if (asRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    exec(full);
  }

  private static void exec(List<String> full) {
    try {
      Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", full) + " failed:\n" + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", full) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }
}
