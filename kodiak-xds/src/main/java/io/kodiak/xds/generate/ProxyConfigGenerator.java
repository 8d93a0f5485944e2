package io.kodiak.xds.generate;

import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyIdentity;
import java.util.Optional;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;

/**
 * Generates one proxy's Envoy configuration. A pure function of (mesh snapshot, proxy): no I/O,
 * clock or randomness, so equal inputs give byte-equal output and equal versions. Thread-safe.
 */
public final class ProxyConfigGenerator {
  private final InboundAuthorization authorization;
  private final InboundTls tls;

  public ProxyConfigGenerator() {
    this(InboundAuthorization.DENY_ALL, InboundTls.NONE);
  }

  /**
   * @param authorization who may call inbounds when mTLS is on (the MeshTrafficPermission plugin)
   * @param tls per-inbound TLS settings (the MeshTLS plugin)
   */
  public ProxyConfigGenerator(InboundAuthorization authorization, InboundTls tls) {
    this.authorization = authorization;
    this.tls = tls;
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
    ConfigCollector out = new ConfigCollector();
    Optional<MeshMtls> mtls = mesh.mtls().filter(m -> identity.isPresent() && kind == ProxyKind.ENVOY);
    if (mtls.isPresent()) {
      out.secret(Mtls.identitySecret(identity.get()));
      out.secret(Mtls.caSecret(mtls.get()));
    }
    if (kind == ProxyKind.ENVOY) {
      InboundGenerator.generate(mesh, proxy, mtls, authorization, tls, out);
    }
    OutboundGenerator.generate(mesh, proxy, kind, mtls, out);
    return out.build();
  }
}
