package io.kodiak.xds.proxy;

import java.util.Map;

/**
 * One inbound of a proxy: Envoy listens on {@code address:port} and forwards to the application at
 * {@code serviceAddress:servicePort}.
 */
public record Inbound(
    String address,
    int port,
    String serviceAddress,
    int servicePort,
    Map<String, String> tags,
    Protocol protocol,
    boolean ready) {
  public Inbound {
    tags = Map.copyOf(tags);
  }

  public String service() {
    return tags.getOrDefault("kuma.io/service", "");
  }
}
