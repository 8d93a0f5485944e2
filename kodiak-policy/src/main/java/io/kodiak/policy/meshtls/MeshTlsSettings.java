package io.kodiak.policy.meshtls;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.core.Resource;
import io.kodiak.policy.core.TargetSelection;
import io.kodiak.xds.generate.InboundTls;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * MeshTLS for one inbound: the policies whose targetRef selects it, least specific first, their
 * {@code from[]} (kind Mesh) and {@code rules[]} defaults merged field by field, later wins.
 * Pure and thread-safe.
 */
public final class MeshTlsSettings implements InboundTls {
  @Override
  public Settings settingsFor(MeshSnapshot mesh, ProxyModel proxy, Inbound inbound) {
    List<Resource> selecting = new ArrayList<>();
    for (Resource policy : mesh.tlsPolicies()) {
      if (TargetSelection.selects(policy.spec().path("targetRef"), proxy, inbound)) {
        selecting.add(policy);
      }
    }
    selecting.sort(Comparator.comparingInt((Resource p) -> TargetSelection.specificity(p.spec().path("targetRef")))
        .thenComparing(Resource::name));
    Optional<MeshMtls.Mode> mode = Optional.empty();
    Optional<String> min = Optional.empty();
    Optional<String> max = Optional.empty();
    List<String> ciphers = List.of();
    for (Resource policy : selecting) {
      List<JsonNode> defaults = new ArrayList<>();
      policy.spec().path("from").forEach(f -> defaults.add(f.path("default")));
      policy.spec().path("rules").forEach(r -> defaults.add(r.path("default")));
      for (JsonNode conf : defaults) {
        if (conf.has("mode")) {
          mode = Optional.of(conf.path("mode").asText().equals("Permissive") ? MeshMtls.Mode.PERMISSIVE
              : MeshMtls.Mode.STRICT);
        }
        if (conf.path("tlsVersion").has("min")) {
          min = Optional.of(conf.path("tlsVersion").path("min").asText());
        }
        if (conf.path("tlsVersion").has("max")) {
          max = Optional.of(conf.path("tlsVersion").path("max").asText());
        }
        if (conf.has("tlsCiphers")) {
          List<String> list = new ArrayList<>();
          conf.path("tlsCiphers").forEach(c -> list.add(c.asText()));
          ciphers = list;
        }
      }
    }
    return new Settings(mode, min, max, ciphers);
  }
}
