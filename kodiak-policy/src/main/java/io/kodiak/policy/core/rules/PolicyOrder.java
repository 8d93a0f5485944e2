package io.kodiak.policy.core.rules;

import io.kodiak.model.core.Resource;
import java.util.Comparator;

/**
 * The order policies of one type are merged in; later ones win. First by how specific the top-level
 * targetRef is (less specific first); then by origin and role, which are the same for every policy
 * of a Universal zone control plane (all are local and system-wide), so they never decide here;
 * then by name, in reverse: of two equally specific policies the one whose name sorts first is
 * merged last and wins, as in Kuma.
 */
final class PolicyOrder {
  public static final Comparator<Resource> MERGE_ORDER =
      Comparator.comparingInt((Resource p) -> Selection.specificity(p.spec().path("targetRef")))
          .thenComparing(Resource::name, Comparator.reverseOrder());

  /** The label that marks a policy as a dry run: shown when asked for, never applied. */
  public static final String EFFECT_LABEL = "kuma.io/effect";

  private PolicyOrder() {}

  public static boolean isShadow(Resource policy) {
    return "shadow".equals(policy.meta().labels().get(EFFECT_LABEL));
  }
}
