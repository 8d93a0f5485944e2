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
 * outbounds, then each policy plugin in order. A pure function of (mesh snapshot, proxy): no I/O,
 * clock or randomness, so equal inputs give byte-equal output and equal versions. Thread-safe.
 */
public final class ProxyConfigGenerator {
  private final InboundAuthorization authorization;
  private final InboundTls tls;
  private final List<PolicyPlugin> plugins;

  public ProxyConfigGenerator() {
    this(InboundAuthorization.DENY_ALL, InboundTls.NONE, List.of());
  }

  /**
   * @param authorization who may call inbounds when mTLS is on (the MeshTrafficPermission plugin)
   * @param tls per-inbound TLS settings (the MeshTLS plugin)
   * @param plugins the other policies, in the order they apply
   */
  public ProxyConfigGenerator(InboundAuthorization authorization, InboundTls tls, List<PolicyPlugin> plugins) {
    this.authorization = authorization;
    this.tls = tls;
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
  public ProxyConfig generate(MeshSnapshot mesh, ProxyModel proxy, ProxyKind kind, Optional<ProxyIdentity> identity) {
    Optional<MeshMtls> mtls = mesh.mtls().filter(m -> identity.isPresent() && kind == ProxyKind.ENVOY);
    ProxyResources out = new ProxyResources(mesh, proxy, kind, mtls);
    if (mtls.isPresent()) {
      out.secret(Mtls.identitySecret(identity.get()));
      out.secret(Mtls.caSecret(mtls.get()));
    }
    if (kind == ProxyKind.ENVOY) {
      InboundGenerator.generate(authorization, tls, out);
    }
    OutboundGenerator.generate(out);
    for (PolicyPlugin plugin : plugins) {
      plugin.apply(out);
    }
    return out.build();
  }
}
