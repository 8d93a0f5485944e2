package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.core.Resource;
import io.kodiak.policy.core.TargetRefKind;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored policy with each of its {@code default} blocks decoded: its top-level one (absent for
 * most types) and those of its {@code to}, {@code from} and {@code rules} items, and what its
 * top-level targetRef is, read once per snapshot rather than once per proxy matched against it.
 * Immutable.
 *
 * @param kind the top-level targetRef's kind
 * @param shadow whether it is a dry run ({@code kuma.io/effect: shadow})
 * @param everyProxy whether it selects every proxy of the mesh whatever its tags (Mesh, or a
 *     MeshSubset without tags, for sidecars)
 */
record DecodedPolicy<C>(
    Resource resource,
    Entry<C> top,
    List<Entry<C>> to,
    List<Entry<C>> from,
    List<Entry<C>> rules,
    TargetRefKind kind,
    boolean shadow,
    boolean everyProxy) {

  static <C> DecodedPolicy<C> of(Resource policy, ConfType<C> type) {
    JsonNode spec = policy.spec();
    Entry<C> top =
        spec.has("default")
            ? new Entry<>(policy, -1, spec, type.decode(spec.path("default")))
            : null;
    JsonNode ref = spec.path("targetRef");
    return new DecodedPolicy<>(
        policy,
        top,
        items(policy, spec.path("to"), type),
        items(policy, spec.path("from"), type),
        items(policy, spec.path("rules"), type),
        Selection.kind(ref),
        PolicyOrder.isShadow(policy),
        Selection.selectsEveryProxy(ref));
  }

  private static <C> List<Entry<C>> items(Resource policy, JsonNode list, ConfType<C> type) {
    List<Entry<C>> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      out.add(new Entry<>(policy, i, item, type.decode(item.path("default"))));
    }
    return List.copyOf(out);
  }

  JsonNode targetRef() {
    return resource.spec().path("targetRef");
  }
}
