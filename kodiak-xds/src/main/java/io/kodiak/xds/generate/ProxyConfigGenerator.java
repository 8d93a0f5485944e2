package io.kodiak.xds.generate;

import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;

/**
 * Generates one proxy's Envoy configuration. A pure function of (mesh snapshot, proxy): no I/O,
 * clock or randomness, so equal inputs give byte-equal output and equal versions. Thread-safe.
 */
public final class ProxyConfigGenerator {
  public ProxyConfig generate(MeshSnapshot mesh, ProxyModel proxy) {
    return generate(mesh, proxy, ProxyKind.ENVOY);
  }

  public ProxyConfig generate(MeshSnapshot mesh, ProxyModel proxy, ProxyKind kind) {
    ConfigCollector out = new ConfigCollector();
    if (kind == ProxyKind.ENVOY) {
      InboundGenerator.generate(proxy, out);
    }
    OutboundGenerator.generate(mesh, proxy, kind, out);
    return out.build();
  }
}
