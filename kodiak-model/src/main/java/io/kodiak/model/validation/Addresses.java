package io.kodiak.model.validation;

import java.util.regex.Pattern;

/** Checks for IP addresses, host names and ports. */
public final class Addresses {
  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?");
  private static final Pattern HOST =
      Pattern.compile(
          "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

  private Addresses() {}

  public static boolean isIp(String text) {
    return IPV4.matcher(text).matches() || text.contains(":") && IPV6.matcher(text).matches();
  }

  public static boolean isIpOrHost(String text) {
    return isIp(text) || HOST.matcher(text).matches();
  }

  public static void ip(At at, Violations out) {
    if (at.present() && at.node().isTextual()) {
      ip(at.text(), at.path(), out);
    }
  }

  /** Checks a decoded IP address; null (not set) is fine. */
  public static void ip(String text, FieldPath path, Violations out) {
    if (text != null && !isIp(text)) {
      out.add(path, "must be a valid IP address");
    }
  }

  public static void port(At at, Violations out) {
    if (at.present() && at.node().isIntegralNumber()) {
      port(at.node().asLong(), at.path(), out);
    }
  }

  /** Checks a decoded port; null (not set) is fine. */
  public static void port(Integer port, FieldPath path, Violations out) {
    if (port != null) {
      port(port.longValue(), path, out);
    }
  }

  private static void port(long port, FieldPath path, Violations out) {
    if (port < 1 || port > 65535) {
      out.add(path, "must be a port between 1 and 65535");
    }
  }

  /** Checks a {@code host:port} address. */
  public static void hostPort(At at, Violations out) {
    if (at.present() && at.node().isTextual()) {
      hostPort(at.text(), at.path(), out);
    }
  }

  /** Checks a decoded {@code host:port} address; null (not set) is fine. */
  public static void hostPort(String text, FieldPath path, Violations out) {
    if (text == null) {
      return;
    }
    int colon = text.lastIndexOf(':');
    String host = colon < 0 ? "" : text.substring(0, colon).replaceAll("^\\[|]$", "");
    String port = colon < 0 ? "" : text.substring(colon + 1);
    boolean portOk =
        port.matches("\\d{1,5}") && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535;
    if (host.isEmpty() || !isIpOrHost(host) || !portOk) {
      out.add(path, "must be an address of the form host:port, such as 127.0.0.1:5000");
    }
  }
}
