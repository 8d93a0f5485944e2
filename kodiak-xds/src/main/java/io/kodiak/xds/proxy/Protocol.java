package io.kodiak.xds.proxy;

import java.util.Locale;

/**
 * The application protocol of a service, from its {@code kuma.io/protocol} tag (TCP when absent).
 */
public enum Protocol {
  HTTP,
  HTTP2,
  GRPC,
  KAFKA,
  TCP;

  public static Protocol fromTag(String value) {
    if (value == null || value.isEmpty()) {
      return TCP;
    }
    try {
      return valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return TCP;
    }
  }

  /** Whether Envoy handles it with the HTTP connection manager (rather than a TCP proxy). */
  public boolean isHttp() {
    return this == HTTP || this == HTTP2 || this == GRPC;
  }

  /** Whether upstream connections must speak HTTP/2. */
  public boolean needsHttp2() {
    return this == HTTP2 || this == GRPC;
  }
}
