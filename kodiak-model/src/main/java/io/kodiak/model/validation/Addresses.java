package io.kodiak.model.validation;

import java.util.regex.Pattern;

/** Checks for IP addresses, host names and ports. */
public final class Addresses {
  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?");
  private static final Pattern HOST =
      Pattern.compile("(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

  private Addresses() {}

  public static boolean isIp(String text) {
    return IPV4.matcher(text).matches() || text.contains(":") && IPV6.matcher(text).matches();
  }

  public static boolean isIpOrHost(String text) {
    return isIp(text) || HOST.matcher(text).matches();
  }

  public static void ip(At at, Violations out) {
    if (at.present() && at.node().isTextual() && !isIp(at.text())) {
      out.add(at.path(), "must be a valid IP address");
    }
  }

  public static void port(At at, Violations out) {
    if (at.present() && at.node().isIntegralNumber() && (at.node().asLong() < 1 || at.node().asLong() > 65535)) {
      out.add(at.path(), "must be a port between 1 and 65535");
    }
  }

  /** Checks a {@code host:port} address. */
  public static void hostPort(At at, Violations out) {
    if (!at.present() || !at.node().isTextual()) {
      return;
    }
    String text = at.text();
    int colon = text.lastIndexOf(':');
    String host = colon < 0 ? "" : text.substring(0, colon).replaceAll("^\\[|]$", "");
    String port = colon < 0 ? "" : text.substring(colon + 1);
    boolean portOk = port.matches("\\d{1,5}") && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535;
    if (host.isEmpty() || !isIpOrHost(host) || !portOk) {
      out.add(at.path(), "must be an address of the form host:port, such as 127.0.0.1:5000");
    }
  }
}
