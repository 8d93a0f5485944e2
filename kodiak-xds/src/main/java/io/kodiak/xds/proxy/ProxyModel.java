package io.kodiak.xds.proxy;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the generators need to know about one proxy, derived from its Dataplane. Immutable.
 *
 * @param adminPort the Envoy admin port on loopback (9901 unless the Dataplane says otherwise)
 * @param transparentProxying present when the kernel redirects the workload's traffic to Envoy:
 *     then listeners do not bind their own addresses
 */
public record ProxyModel(
    String mesh,
    String name,
    String address,
    List<Inbound> inbounds,
    List<Outbound> outbounds,
    int adminPort,
    Map<String, String> labels,
    Optional<TransparentProxying> transparentProxying) {
  public ProxyModel {
    inbounds = List.copyOf(inbounds);
    outbounds = List.copyOf(outbounds);
    labels = Map.copyOf(labels);
  }

  /** The xDS node id: {@code <mesh>.<name>}. */
  public String nodeId() {
    return mesh + "." + name;
  }

  /** The service of the first inbound, used as Envoy's cluster name in the bootstrap. */
  public String primaryService() {
    return inbounds.isEmpty() ? name : inbounds.get(0).service();
  }
}
