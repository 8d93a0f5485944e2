package io.kodiak.policy.meshtls;

import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.Conf;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.InboundEdits;
import io.kodiak.xds.generate.InboundEdits.TlsSettings;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.InboundTarget;
import io.kodiak.xds.mesh.MeshMtls;
import java.util.List;
import java.util.Optional;

/**
 * MeshTLS, a plugin of the inbound phase: for each inbound, the merged {@code from[]} (kind Mesh)
 * and {@code rules[]} defaults of the policies selecting it set the mTLS mode (over the mesh's) and
 * the TLS version range and ciphers. Pure and thread-safe.
 */
final class MeshTLSPlugin implements PolicyModule.Plugin<MeshTLSConf> {
  @Override
  public void apply(ProxyResources resources, PolicyRules<MeshTLSConf> rules) {
    for (InboundTarget target : resources.inbounds()) {
      Conf<MeshTLSConf> conf = rules.inbound(target.inbound());
      if (!conf.isEmpty()) {
        InboundEdits.tls(resources, target, settings(conf.value()));
      }
    }
  }

  private static TlsSettings settings(MeshTLSConf conf) {
    Optional<MeshMtls.Mode> mode =
        Optional.ofNullable(conf.mode())
            .map(m -> m.equals("Permissive") ? MeshMtls.Mode.PERMISSIVE : MeshMtls.Mode.STRICT);
    MeshTLSConf.TlsVersion versions = conf.tlsVersionOrNone();
    return new TlsSettings(
        mode,
        Optional.ofNullable(versions.min()),
        Optional.ofNullable(versions.max()),
        conf.tlsCiphers() == null ? List.of() : conf.tlsCiphers());
  }
}
