package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code to[]} side of one selection of policies (one type, one snapshot): indexed by the
 * service each item names, and merged per destination service on first ask. Every proxy those same
 * policies select shares one, so a mesh-wide change indexes and merges each destination once, not
 * once per caller. Thread-safe (the index is built up front, the merged confs are read-only).
 */
final class ToRules<C> {
  /** A {@code to[]} item with its policy's place in merge order. */
  private record Ranked<C>(int policyRank, Entry<C> entry) {}

  private final ConfType<C> conf;
  private final List<Ranked<C>> everyService = new ArrayList<>();
  private final Map<String, List<Ranked<C>>> byService = new HashMap<>();
  private final Map<String, Conf<C>> merged = new ConcurrentHashMap<>();

  ToRules(ConfType<C> conf, List<DecodedPolicy<C>> matched) {
    this.conf = conf;
    for (int p = 0; p < matched.size(); p++) {
      for (Entry<C> entry : matched.get(p).to()) {
        JsonNode ref = entry.targetRef();
        Ranked<C> ranked = new Ranked<>(p, entry);
        switch (Selection.kind(ref)) {
          case MESH -> everyService.add(ranked);
          case MESH_SERVICE, MESH_SERVICE_SUBSET ->
              byService
                  .computeIfAbsent(ref.path("name").asText(), k -> new ArrayList<>())
                  .add(ranked);
          default -> {} // other kinds name no service (Selection.toMatches)
        }
      }
    }
  }

  /**
   * The items that apply to calls to {@code service}, in merge order: less specific destinations
   * first (Mesh before MeshService), then by policy order, then list order.
   */
  List<Entry<C>> entries(String service) {
    List<Ranked<C>> found = new ArrayList<>(everyService);
    found.addAll(byService.getOrDefault(service, List.of()));
    found.sort(
        Comparator.comparingInt(
                (Ranked<C> r) -> Selection.sectionSpecificity(r.entry().targetRef()))
            .thenComparingInt(Ranked::policyRank)
            .thenComparingInt(r -> r.entry().index()));
    return found.stream().map(Ranked::entry).toList();
  }

  /** The merged {@code to[].default} for calls to {@code service}. */
  Conf<C> merged(String service) {
    Conf<C> done = merged.get(service);
    if (done == null) {
      // asked per cluster, listener and route of the service: merge once (a Conf is read-only)
      Conf<C> merging = Conf.merging(conf);
      entries(service).forEach(merging::merge);
      done = merged.computeIfAbsent(service, k -> merging);
    }
    return done;
  }
}
