package io.kodiak.ctl.tproxy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The flags of {@code install transparent-proxy} as given; {@link #settings} validates all of them
 * and names each bad one with its value. Null means "not given".
 */
record Flags(
    int inboundPort,
    int outboundPort,
    Integer sidecarUid,
    String sidecarUser,
    String excludeInboundPorts,
    String excludeOutboundPorts) {
  static final String INBOUND_PORT = "--redirect-inbound-port";
  static final String OUTBOUND_PORT = "--redirect-outbound-port";
  static final String SIDECAR_UID = "--kuma-dp-uid";
  static final String SIDECAR_USER = "--kuma-dp-user";
  static final String EXCLUDE_INBOUND = "--exclude-inbound-ports";
  static final String EXCLUDE_OUTBOUND = "--exclude-outbound-ports";

  /**
   * The settings, or {@link InvalidFlags} listing every violation; users come from {@code passwd}.
   */
  RedirectSettings settings(Path passwd) {
    List<String> violations = new ArrayList<>();
    checkPort(INBOUND_PORT, inboundPort, violations);
    checkPort(OUTBOUND_PORT, outboundPort, violations);
    if (inboundPort == outboundPort) {
      violations.add(OUTBOUND_PORT + ": " + outboundPort + " is also " + INBOUND_PORT);
    }
    int uid = sidecarUid(passwd, violations);
    List<Integer> inbound = portList(EXCLUDE_INBOUND, excludeInboundPorts, violations);
    List<Integer> outbound = portList(EXCLUDE_OUTBOUND, excludeOutboundPorts, violations);
    if (!violations.isEmpty()) {
      throw new InvalidFlags(violations);
    }
    return new RedirectSettings(inboundPort, outboundPort, uid, inbound, outbound);
  }

  private int sidecarUid(Path passwd, List<String> violations) {
    if (sidecarUid != null && sidecarUser != null) {
      violations.add(
          SIDECAR_UID
              + " "
              + sidecarUid
              + " and "
              + SIDECAR_USER
              + " "
              + sidecarUser
              + ": give one of them");
      return -1;
    }
    if (sidecarUser != null) {
      Integer uid = Passwd.uidOf(sidecarUser, passwd);
      if (uid == null) {
        violations.add(
            SIDECAR_USER
                + ": no user '"
                + sidecarUser
                + "' in "
                + passwd
                + " (give the sidecar's uid with "
                + SIDECAR_UID
                + ")");
        return -1;
      }
      return uid;
    }
    if (sidecarUid == null) {
      return RedirectSettings.DEFAULT_SIDECAR_UID;
    }
    if (sidecarUid < 0) {
      violations.add(SIDECAR_UID + ": " + sidecarUid + " is not a uid (0 or more)");
    }
    return sidecarUid;
  }

  private static void checkPort(String flag, int port, List<String> violations) {
    if (port < 1 || port > 65535) {
      violations.add(flag + ": " + port + " is not a port (1-65535)");
    }
  }

  /** A comma list of ports, duplicates dropped, order kept; blank means none. */
  private static List<Integer> portList(String flag, String value, List<String> violations) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    Set<Integer> ports = new LinkedHashSet<>();
    for (String item : value.split(",", -1)) {
      String port = item.strip();
      if (port.isEmpty()) {
        violations.add(flag + ": empty item in '" + value + "'");
        continue;
      }
      try {
        int number = Integer.parseInt(port);
        if (number >= 1 && number <= 65535) {
          ports.add(number);
          continue;
        }
      } catch (NumberFormatException e) {
        // reported below, as an out-of-range number is
      }
      violations.add(flag + ": '" + port + "' is not a port (1-65535)");
    }
    return List.copyOf(ports);
  }
}
