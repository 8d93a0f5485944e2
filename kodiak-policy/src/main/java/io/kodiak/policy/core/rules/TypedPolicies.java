package io.kodiak.policy.core.rules;

import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.core.Resource;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.mesh.MeshSnapshot.Derived;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies of one type in a mesh snapshot, decoded once per snapshot and shared by every
 * proxy's generation and the inspect API. A stored policy that no longer decodes (written before
 * a validator change, say) is left out with one log line per snapshot, never half-applied.
 * Immutable and thread-safe.
 */
public final class TypedPolicies<C> {
  private static final Logger LOG = LoggerFactory.getLogger(TypedPolicies.class);
  private final ResourceType type;
  private final ConfType<C> conf;
  private final Derived<List<DecodedPolicy<C>>> decoded = new Derived<>(this::decode);

  public TypedPolicies(ResourceType type, ConfType<C> conf) {
    this.type = type;
    this.conf = conf;
  }

  public ResourceType type() {
    return type;
  }

  public ConfType<C> conf() {
    return conf;
  }

  List<DecodedPolicy<C>> in(MeshSnapshot mesh) {
    return mesh.derived(decoded);
  }

  private List<DecodedPolicy<C>> decode(MeshSnapshot mesh) {
    List<DecodedPolicy<C>> out = new ArrayList<>();
    for (Resource policy : mesh.policies(type.name())) {
      try {
        out.add(DecodedPolicy.of(policy, conf));
      } catch (IllegalArgumentException e) {
        LOG.warn("policy {} {}/{} is ignored: its spec does not decode: {}", type.name(), policy.mesh(), policy.name(),
            e.getMessage());
      }
    }
    return List.copyOf(out);
  }
}
