package io.kodiak.policy.core.rules;

import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.core.Resource;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.mesh.MeshSnapshot.Derived;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies of one type in a mesh snapshot, decoded once per snapshot and shared by every
 * proxy's generation and the inspect API. A stored policy that no longer decodes (written before a
 * validator change, say) stops generation for its mesh, with one log line per snapshot: it is never
 * half-applied, nor silently left out. Immutable and thread-safe.
 */
public final class TypedPolicies<C> {
  private static final Logger LOG = LoggerFactory.getLogger(TypedPolicies.class);
  private final ResourceType type;
  private final ConfType<C> conf;
  private final Derived<Decoded<C>> decoded = new Derived<>(this::decode);
  private final Derived<Map<MatchedPolicies, ToRules<C>>> toRules =
      new Derived<>(mesh -> new ConcurrentHashMap<>());

  /** A snapshot's policies of this type, or why one of them could not be decoded. */
  private record Decoded<C>(List<DecodedPolicy<C>> policies, String failure) {}

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

  /**
   * @throws IllegalStateException when a policy of this type does not decode: nothing is generated
   *     from such a snapshot (leaving the policy out could drop a Deny or a Strict mode), so its
   *     proxies keep their last config until the policy is fixed
   */
  List<DecodedPolicy<C>> in(MeshSnapshot mesh) {
    Decoded<C> result = mesh.derived(decoded);
    if (result.failure() != null) {
      throw new IllegalStateException(result.failure());
    }
    return result.policies();
  }

  /** The {@code to[]} rules of these matched policies, shared by every proxy they select. */
  @SuppressWarnings("unchecked") // a selection holds this type's policies only
  ToRules<C> toRules(MeshSnapshot mesh, MatchedPolicies selection) {
    return mesh.derived(toRules)
        .computeIfAbsent(
            selection, s -> new ToRules<>(conf, (List<DecodedPolicy<C>>) s.policies()));
  }

  private Decoded<C> decode(MeshSnapshot mesh) {
    List<DecodedPolicy<C>> out = new ArrayList<>();
    for (Resource policy : mesh.policies(type.name())) {
      try {
        out.add(DecodedPolicy.of(policy, conf));
      } catch (IllegalArgumentException e) {
        String failure =
            "policy "
                + type.name()
                + " "
                + policy.mesh()
                + "/"
                + policy.name()
                + " does not decode ("
                + e.getMessage()
                + "): fix or delete it; until then its mesh gets no new config";
        LOG.error("{}", failure); // once per mesh snapshot: the result is kept with it
        return new Decoded<>(List.of(), failure);
      }
    }
    // in merge order once, so matching a proxy filters without sorting (the sort is stable)
    out.sort(Comparator.comparing(DecodedPolicy::resource, PolicyOrder.MERGE_ORDER));
    return new Decoded<>(List.copyOf(out), null);
  }
}
