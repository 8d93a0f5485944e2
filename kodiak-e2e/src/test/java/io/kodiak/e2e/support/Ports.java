package io.kodiak.e2e.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for the processes a test starts; never hands out the same port twice.
 *
 * <p>Ports come from below the kernel's ephemeral range: a port the kernel picked for {@code
 * bind(0)} can be taken as the source port of any outgoing connection (an Envoy dialing its control
 * plane, say) before the process we hand it to binds it, and that Envoy then rejects its listener
 * with "address already in use".
 */
public final class Ports {
  private static final Set<Integer> GIVEN = new HashSet<>();
  private static final int LOWEST = 10_000;
  private static final int HIGHEST = ephemeralLow() - 1;
  private static int next = LOWEST + ThreadLocalRandom.current().nextInt(HIGHEST - LOWEST);

  private Ports() {}

  public static synchronized int free() {
    for (int tried = 0; tried <= HIGHEST - LOWEST; tried++) {
      int port = next;
      next = next >= HIGHEST ? LOWEST : next + 1;
      if (!GIVEN.contains(port) && bindable(port)) {
        GIVEN.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port between " + LOWEST + " and " + HIGHEST);
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The kernel's lowest ephemeral port (32768 on Linux by default). */
  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Math.max(LOWEST + 1_000, Integer.parseInt(range.split("\\s+")[0]));
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
