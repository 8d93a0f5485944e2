package io.kodiak.xds.generate;

import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.ProxyModel;

/**
 * Who may call an inbound (with mTLS on): Envoy RBAC rules over the caller's authenticated
 * identity. Implemented by the MeshTrafficPermission policy. Must be pure and thread-safe.
 */
public interface InboundAuthorization {
  RBAC rulesFor(MeshSnapshot mesh, ProxyModel proxy, Inbound inbound);

  /** Denies everyone: what applies when no policy implementation is wired. */
  InboundAuthorization DENY_ALL = (mesh, proxy, inbound) -> RBAC.newBuilder().setAction(RBAC.Action.ALLOW).build();
}
