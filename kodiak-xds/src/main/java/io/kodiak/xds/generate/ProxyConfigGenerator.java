package io.kodiak.xds.generate;

import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyIdentity;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.List;
import java.util.Optional;

/**
 * Generates one proxy's Envoy configuration: the base listeners and clusters for its inbounds and
 * outbounds, then each policy plugin in order (who may call an inbound is one of them). A pure
 * function of (mesh snapshot, proxy): no I/O, clock or randomness, so equal inputs give byte-equal
 * output and equal versions. Thread-safe.
 */
public final class ProxyConfigGenerator {
  private final List<PolicyPlugin> plugins;

  /** Only the base config: no policy applies, and with mTLS nobody may call an inbound. */
  public ProxyConfigGenerator() {
    this(List.of());
  }

  /**
   * @param plugins every policy's plugin, in the order they apply (the inbound phase first)
   */
  public ProxyConfigGenerator(List<PolicyPlugin> plugins) {
    this.plugins = List.copyOf(plugins);
  }

  public ProxyConfig generate(MeshSnapshot mesh, ProxyModel proxy) {
    return generate(mesh, proxy, ProxyKind.ENVOY);
  }

  public ProxyConfig generate(MeshSnapshot mesh, ProxyModel proxy, ProxyKind kind) {
    return generate(mesh, proxy, kind, Optional.empty());
  }

  /**
   * @param identity the proxy's workload certificate; required when the mesh has mTLS on
   */
  public ProxyConfig generate(
      MeshSnapshot mesh, ProxyModel proxy, ProxyKind kind, Optional<ProxyIdentity> identity) {
    Optional<MeshMtls> mtls =
        mesh.mtls().filter(m -> identity.isPresent() && kind == ProxyKind.ENVOY);
    ProxyResources out = new ProxyResources(mesh, proxy, kind, mtls);
    if (mtls.isPresent()) {
      out.secret(Mtls.identitySecret(identity.get()));
      out.secret(Mtls.caSecret(mtls.get()));
    }
    if (kind == ProxyKind.ENVOY) {
      InboundGenerator.generate(out);
    }
    OutboundGenerator.generate(out);
    for (PolicyPlugin plugin : plugins) {
      plugin.apply(out);
    }
    return out.build();
  }
}
