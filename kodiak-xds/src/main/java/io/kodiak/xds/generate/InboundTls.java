package io.kodiak.xds.generate;

import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.List;
import java.util.Optional;

/**
 * Per-inbound TLS settings (the MeshTLS policy): an mTLS mode overriding the mesh's, and the TLS
 * version range and ciphers. Must be pure and thread-safe.
 */
public interface InboundTls {
  Settings settingsFor(MeshSnapshot mesh, ProxyModel proxy, Inbound inbound);

  /** What a MeshTLS says for one inbound; empty fields keep Envoy's and the mesh's defaults. */
  record Settings(Optional<MeshMtls.Mode> mode, Optional<String> minVersion, Optional<String> maxVersion,
      List<String> ciphers) {
    public Settings {
      ciphers = List.copyOf(ciphers);
    }

    public static final Settings DEFAULT = new Settings(Optional.empty(), Optional.empty(), Optional.empty(), List.of());
  }

  InboundTls NONE = (mesh, proxy, inbound) -> Settings.DEFAULT;
}
