package io.kodiak.ctl.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A Linux network namespace of its own for tests that need a real kernel (nat rules, sockets): a
 * unique name, loopback up, veth links to other namespaces, commands run inside it; {@link #close}
 * stops what was started in it and deletes it (and so its links). Needs root and iproute2 ({@code
 * make setup} installs it); without them {@link #create} fails saying so. Not thread-safe.
 */
public final class NetworkNamespace implements AutoCloseable {
  private final String name;
  private final List<Process> processes = new ArrayList<>();
  private final Thread deleteAtExit;
  private int links;

  private NetworkNamespace(String name) {
    this.name = name;
    // A JVM stopped before close() (a surefire timeout) must not leave the namespace behind.
    this.deleteAtExit = new Thread(this::delete, "delete netns " + name);
  }

  /**
   * A new namespace named {@code prefix-<random>}: random because every build on the machine shares
   * the kernel's namespace list, and two builds (or a leftover of a killed one) must not collide.
   */
  public static NetworkNamespace create(String prefix) {
    checkPrerequisites();
    NetworkNamespace namespace =
        new NetworkNamespace(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
    run(List.of("ip", "netns", "add", namespace.name));
    Runtime.getRuntime().addShutdownHook(namespace.deleteAtExit);
    namespace.ip("link", "set", "lo", "up");
    return namespace;
  }

  public String name() {
    return name;
  }

  /**
   * A veth pair between this namespace and {@code peer}, up, with these addresses ({@code
   * 10.0.0.2/24}); returns this side's device name.
   */
  public String link(NetworkNamespace peer, String address, String peerAddress) {
    String device = "veth" + links++;
    String peerDevice = "veth" + peer.links++;
    ip("link", "add", device, "type", "veth", "peer", "name", peerDevice, "netns", peer.name);
    ip("addr", "add", address, "dev", device);
    ip("link", "set", device, "up");
    peer.ip("addr", "add", peerAddress, "dev", peerDevice);
    peer.ip("link", "set", peerDevice, "up");
    return device;
  }

  /** Runs {@code ip -n <this> ...}: {@code ip("route", "add", "default", "via", "10.0.0.1")}. */
  public String ip(String... arguments) {
    List<String> command = new ArrayList<>(List.of("ip", "-n", name));
    command.addAll(List.of(arguments));
    return run(command);
  }

  /** Runs {@code command} inside this namespace and returns its output (stdout and stderr). */
  public String exec(List<String> command) {
    return run(inside(command));
  }

  /**
   * Starts {@code command} inside this namespace, stdout and stderr in one stream; it is stopped by
   * {@link #close}.
   */
  public Process start(List<String> command) {
    try {
      Process process = new ProcessBuilder(inside(command)).redirectErrorStream(true).start();
      processes.add(process);
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command + " in " + name, e);
    }
  }

  @Override
  public void close() {
    Runtime.getRuntime().removeShutdownHook(deleteAtExit);
    delete();
  }

  private void delete() {
    processes.forEach(Process::destroyForcibly);
    for (Process process : processes) {
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    run(List.of("ip", "netns", "delete", name));
  }

  private List<String> inside(List<String> command) {
    List<String> inside = new ArrayList<>(List.of("ip", "netns", "exec", name));
    inside.addAll(command);
    return inside;
  }

  private static void checkPrerequisites() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      if (!Integer.valueOf(0).equals(uid)) {
        throw new IllegalStateException(
            "network-namespace tests need root (running as uid "
                + uid
                + "): run them as root,"
                + " as make test does");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot tell this process's uid from /proc/self", e);
    }
    try {
      new ProcessBuilder("ip", "-V").redirectErrorStream(true).start().waitFor();
    } catch (IOException e) {
      throw new IllegalStateException("ip not found: install the iproute2 package (make setup)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted looking for ip", e);
    }
  }

  private static String run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = process.waitFor();
      if (exit != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited with " + exit + ":\n" + output.strip());
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }
}
