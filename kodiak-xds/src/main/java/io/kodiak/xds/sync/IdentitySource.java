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
