package io.kodiak.e2e.support;

import io.kodiak.ctl.testing.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A node's Pod network on the host: a bridge in the host's namespace with the "node" address
 * ({@code 10.x.y.1/24}, where the control plane listens) and one network namespace per Pod on it
 * ({@code 10.x.y.2} and up), its default route through the node. Pods reach each other over the
 * bridge without IP forwarding on the host. The subnet is random: every build on the machine shares
 * the host's addresses. Needs root and iproute2; {@link #close} deletes it all. Not thread-safe.
 */
public final class PodNetwork implements AutoCloseable {
  private final String bridge;
  private final String prefix;
  private final List<NetworkNamespace> pods = new ArrayList<>();
  private final Thread deleteAtExit;

  private PodNetwork(String bridge, String prefix) {
    this.bridge = bridge;
    this.prefix = prefix;
    this.deleteAtExit = new Thread(this::deleteBridge, "delete bridge " + bridge);
  }

  public static PodNetwork create() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String prefix = "10." + random.nextInt(200, 240) + "." + random.nextInt(0, 256) + ".";
    PodNetwork network =
        new PodNetwork("kbr" + Integer.toHexString(random.nextInt(0x100000, 0xffffff)), prefix);
    host("ip", "link", "add", "name", network.bridge, "type", "bridge");
    Runtime.getRuntime().addShutdownHook(network.deleteAtExit);
    host("ip", "addr", "add", network.nodeAddress() + "/24", "dev", network.bridge);
    host("ip", "link", "set", network.bridge, "up");
    return network;
  }

  /** The host's address on the bridge: what Pods reach the control plane at. */
  public String nodeAddress() {
    return prefix + "1";
  }

  /** A new Pod namespace on the bridge; its address is {@link #address}. */
  public NetworkNamespace addPod(String name) {
    NetworkNamespace pod = NetworkNamespace.create("kodiak-" + name);
    pods.add(pod);
    String hostSide = bridge + "p" + pods.size();
    host(
        "ip", "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", pod.name());
    host("ip", "link", "set", hostSide, "master", bridge, "up");
    pod.ip("addr", "add", address(pod) + "/24", "dev", "eth0");
    pod.ip("link", "set", "eth0", "up");
    pod.ip("route", "add", "default", "via", nodeAddress());
    return pod;
  }

  /** The Pod IP of a namespace {@link #addPod} made. */
  public String address(NetworkNamespace pod) {
    int index = pods.indexOf(pod);
    if (index < 0) {
      throw new IllegalArgumentException(pod.name() + " is not a Pod of this network");
    }
    return prefix + (index + 2);
  }

  @Override
  public void close() {
    Runtime.getRuntime().removeShutdownHook(deleteAtExit);
    RuntimeException first = null;
    for (NetworkNamespace pod : pods) {
      try {
        pod.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    deleteBridge();
    if (first != null) {
      throw first;
    }
  }

  private void deleteBridge() {
    host("ip", "link", "delete", bridge);
  }

  private static void host(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + List.of(command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + List.of(command), e);
    }
  }
}
