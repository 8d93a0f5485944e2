package io.kodiak.policy.meshtls;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.Conf;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.InboundEdits;
import io.kodiak.xds.generate.InboundEdits.TlsSettings;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.InboundTarget;
import io.kodiak.xds.mesh.MeshMtls;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * MeshTLS, a plugin of the inbound phase: for each inbound, the merged {@code from[]} (kind Mesh)
 * and {@code rules[]} defaults of the policies selecting it set the mTLS mode (over the mesh's)
 * and the TLS version range and ciphers. Pure and thread-safe.
 */
final class MeshTLSPlugin implements PolicyModule.Plugin<JsonNode> {
  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    for (InboundTarget target : resources.inbounds()) {
      Conf<JsonNode> conf = rules.inbound(target.inbound());
      if (!conf.isEmpty()) {
        InboundEdits.tls(resources, target, settings(conf.value()));
      }
    }
  }

  private static TlsSettings settings(JsonNode conf) {
    Optional<MeshMtls.Mode> mode = conf.has("mode")
        ? Optional.of(conf.path("mode").asText().equals("Permissive") ? MeshMtls.Mode.PERMISSIVE : MeshMtls.Mode.STRICT)
        : Optional.empty();
    JsonNode versions = conf.path("tlsVersion");
    List<String> ciphers = new ArrayList<>();
    conf.path("tlsCiphers").forEach(c -> ciphers.add(c.asText()));
    return new TlsSettings(mode, text(versions, "min"), text(versions, "max"), ciphers);
  }

  private static Optional<String> text(JsonNode node, String field) {
    return node.has(field) ? Optional.of(node.path(field).asText()) : Optional.empty();
  }
}
