package io.kodiak.policy.meshtls;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.InboundTls;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * MeshTLS for one inbound: the merged {@code from[]} (kind Mesh) and {@code rules[]} defaults of
 * the policies selecting it. Pure and thread-safe.
 */
public final class MeshTlsSettings implements InboundTls {
  @Override
  public Settings settingsFor(MeshSnapshot mesh, ProxyModel proxy, Inbound inbound) {
    JsonNode conf = PolicyRules.of("MeshTLS", mesh, proxy).inbound(inbound).conf();
    Optional<MeshMtls.Mode> mode = conf.has("mode")
        ? Optional.of(conf.path("mode").asText().equals("Permissive") ? MeshMtls.Mode.PERMISSIVE : MeshMtls.Mode.STRICT)
        : Optional.empty();
    JsonNode versions = conf.path("tlsVersion");
    List<String> ciphers = new ArrayList<>();
    conf.path("tlsCiphers").forEach(c -> ciphers.add(c.asText()));
    return new Settings(mode, text(versions, "min"), text(versions, "max"), ciphers);
  }

  private static Optional<String> text(JsonNode node, String field) {
    return node.has(field) ? Optional.of(node.path(field).asText()) : Optional.empty();
  }
}
