package io.kodiak.xds.sync;

import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.proxy.ProxyIdentity;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.Optional;

/**
 * Where mTLS state and workload certificates come from (the control plane's CA component). Issuing
 * happens here, outside generation, so generation stays pure. Thread-safe.
 */
public interface IdentitySource {
  /** The mesh's mTLS state, or empty when mTLS is off. */
  Optional<MeshMtls> mtls(String mesh);

  /** The proxy's current workload certificate, issued or renewed as needed. */
  Optional<ProxyIdentity> identity(MeshMtls mtls, ProxyModel proxy);

  /**
   * What an inspection of the proxy's config is generated with: present exactly when {@link
   * #identity} would be, but never issues, renews or records a certificate, so looking at a proxy
   * (one whose token was revoked, say) gets it none. The default is {@link #identity}, for sources
   * that issue nothing.
   */
  default Optional<ProxyIdentity> preview(MeshMtls mtls, ProxyModel proxy) {
    return identity(mtls, proxy);
  }

  /** The proxy's stream is gone: drop whatever certificate it was issued. */
  default void forget(String nodeId) {}

  /** mTLS off everywhere. */
  IdentitySource NONE =
      new IdentitySource() {
        @Override
        public Optional<MeshMtls> mtls(String mesh) {
          return Optional.empty();
        }

        @Override
        public Optional<ProxyIdentity> identity(MeshMtls mtls, ProxyModel proxy) {
          return Optional.empty();
        }
      };
}
