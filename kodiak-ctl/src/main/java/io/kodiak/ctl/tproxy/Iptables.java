package io.kodiak.ctl.tproxy;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real netfilter table (IPv4 nat, IPv6 filter), through the iptables binaries of the machine (or
 * the init container).
 */
final class Iptables implements Netfilter {
  // Init-container images often run with a PATH that lacks the sbin directories.
  private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin");

  private final Path iptables;
  private final Path iptablesRestore;
  private final String table;

  private Iptables(Path iptables, Path iptablesRestore, String table) {
    this.iptables = iptables;
    this.iptablesRestore = iptablesRestore;
    this.table = table;
  }

  /** The IPv4 nat table: both binaries, from PATH or the sbin directories, or an error. */
  static Iptables locate() {
    return locate(searchPath());
  }

  /** The IPv6 filter table (ip6tables), or empty when this kernel has IPv6 turned off. */
  static Optional<Iptables> locateIpv6() {
    if (!Files.exists(Path.of("/proc/net/if_inet6"))) {
      return Optional.empty();
    }
    List<Path> dirs = searchPath();
    return Optional.of(
        new Iptables(find("ip6tables", dirs), find("ip6tables-restore", dirs), "filter"));
  }

  private static List<Path> searchPath() {
    List<Path> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator, -1)) {
        dirs.add(Path.of(dir.isEmpty() ? "." : dir));
      }
    }
    EXTRA_DIRS.forEach(dir -> dirs.add(Path.of(dir)));
    return dirs;
  }

  /** Both binaries from the first of {@code dirs} holding each. */
  static Iptables locate(List<Path> dirs) {
    Path restore = find("iptables-restore", dirs);
    return new Iptables(find("iptables", dirs), restore, "nat");
  }

  @Override
  public String list() {
    return run(List.of(iptables.toString(), "-t", table, "-S"), null);
  }

  @Override
  public void restore(String rules) {
    run(List.of(iptablesRestore.toString(), "--noflush"), rules);
  }

  private static Path find(String name, List<Path> dirs) {
    for (Path dir : dirs) {
      Path candidate = dir.resolve(name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(name + " not found: install the iptables package");
  }

  /** Runs the command (feeding it {@code input} when not null) and returns its output. */
  private static String run(List<String> command, String input) {
    String line = String.join(" ", command);
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (OutputStream stdin = process.getOutputStream()) {
        if (input != null) {
          stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException(
            line
                + " failed (exit "
                + process.exitValue()
                + "; root with NET_ADMIN needed): "
                + output.strip());
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + line, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + line, e);
    }
  }
}
