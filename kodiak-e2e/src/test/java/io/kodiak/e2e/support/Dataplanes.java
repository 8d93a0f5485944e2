package io.kodiak.e2e.support;

import java.util.Map;

/** Dataplane YAML for tests: one inbound, any number of outbounds, an admin port. */
public final class Dataplanes {
  private Dataplanes() {}

  /**
   * @param outbounds service name to outbound port
   */
  public static String yaml(
      String mesh,
      String name,
      String service,
      String protocol,
      int inboundPort,
      int servicePort,
      int adminPort,
      Map<String, Integer> outbounds) {
    return yaml(
        mesh, name, service, protocol, inboundPort, servicePort, adminPort, outbounds, Map.of());
  }

  /**
   * @param outbounds service name to outbound port
   * @param tags more inbound tags (such as {@code version: v2})
   */
  public static String yaml(
      String mesh,
      String name,
      String service,
      String protocol,
      int inboundPort,
      int servicePort,
      int adminPort,
      Map<String, Integer> outbounds,
      Map<String, String> tags) {
    StringBuilder y = new StringBuilder();
    y.append("type: Dataplane\nmesh: ")
        .append(mesh)
        .append("\nname: ")
        .append(name)
        .append('\n')
        .append("networking:\n  address: 127.0.0.1\n  inbound:\n")
        .append("    - port: ")
        .append(inboundPort)
        .append('\n')
        .append("      servicePort: ")
        .append(servicePort)
        .append('\n')
        .append("      tags:\n        kuma.io/service: ")
        .append(service)
        .append('\n')
        .append("        kuma.io/protocol: ")
        .append(protocol)
        .append('\n');
    tags.forEach((k, v) -> y.append("        ").append(k).append(": \"").append(v).append("\"\n"));
    if (!outbounds.isEmpty()) {
      y.append("  outbound:\n");
      outbounds.forEach(
          (svc, port) ->
              y.append("    - port: ")
                  .append(port)
                  .append('\n')
                  .append("      tags:\n        kuma.io/service: ")
                  .append(svc)
                  .append('\n'));
    }
    y.append("  admin:\n    port: ").append(adminPort).append('\n');
    return y.toString();
  }
}
