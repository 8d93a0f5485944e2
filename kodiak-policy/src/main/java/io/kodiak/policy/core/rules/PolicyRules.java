package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.core.Resource;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The policies of one type that apply to one proxy, and their merged configuration for the
 * proxy as a whole, for each destination service ({@code to}), for each inbound ({@code from}
 * and {@code rules}) and for each MeshHTTPRoute. The one place matching and merging happen: the
 * plugins build Envoy config from it and the inspect API shows it, so both always agree.
 * Immutable once built (apart from a lazily built index); cheap enough to build per proxy and type
 * on every generation. Not thread-safe: one generation uses it.
 */
public final class PolicyRules {
  private final String type;
  private final ProxyModel proxy;
  private final List<Resource> matched;
  private final List<Resource> routeTargeted;
  private ToIndex toIndex; // built on first use: a proxy asks once per destination, so no scan per service
  private final Map<String, Conf> toByService = new java.util.HashMap<>(); // merged to[] per service

  /** A {@code to[]} item with its policy's place in merge order. */
  private record Ranked(int policyRank, Entry entry) {}

  /** The {@code to[]} items by the service they name, and those that name every service (kind Mesh). */
  private record ToIndex(List<Ranked> everyService, Map<String, List<Ranked>> byService) {}

  private PolicyRules(String type, MeshSnapshot mesh, ProxyModel proxy, boolean withShadow) {
    this.type = type;
    this.proxy = proxy;
    List<Resource> selecting = new ArrayList<>();
    List<Resource> byRoute = new ArrayList<>();
    for (Resource policy : mesh.policies(type)) {
      if (!withShadow && PolicyOrder.isShadow(policy)) {
        continue;
      }
      JsonNode ref = policy.spec().path("targetRef");
      if (Selection.kind(ref).equals("MeshHTTPRoute")) {
        byRoute.add(policy);
      } else if (Selection.selectsProxy(ref, proxy)) {
        selecting.add(policy);
      }
    }
    selecting.sort(PolicyOrder.MERGE_ORDER);
    byRoute.sort(PolicyOrder.MERGE_ORDER);
    this.matched = List.copyOf(selecting);
    this.routeTargeted = List.copyOf(byRoute);
  }

  /** The rules of policies of {@code type} (e.g. {@code MeshTimeout}) for a proxy; shadow policies only if asked. */
  public static PolicyRules of(String type, MeshSnapshot mesh, ProxyModel proxy, boolean withShadow) {
    return new PolicyRules(type, mesh, proxy, withShadow);
  }

  /** What the data path gets: no shadow policies. */
  public static PolicyRules of(String type, MeshSnapshot mesh, ProxyModel proxy) {
    return of(type, mesh, proxy, false);
  }

  public String type() {
    return type;
  }

  /** The policies whose top-level targetRef selects this proxy, in merge order. */
  public List<Resource> matched() {
    return matched;
  }

  /** The top-level {@code default} blocks merged (MeshProxyPatch, MeshTrace, MeshMetric...). */
  public Conf proxy() {
    Conf conf = Conf.merging();
    for (Resource policy : matched) {
      if (policy.spec().has("default")) {
        conf.merge(policy.spec().path("default"), new Origin(policy, -1));
      }
    }
    return conf;
  }

  /**
   * The {@code to[]} items that apply to calls to {@code service}, in merge order: less specific
   * destinations first (Mesh before MeshService), then by policy order, then list order.
   */
  public List<Entry> toEntries(String service) {
    ToIndex index = toIndex();
    List<Ranked> found = new ArrayList<>(index.everyService());
    found.addAll(index.byService().getOrDefault(service, List.of()));
    found.sort(Comparator.comparingInt((Ranked r) -> Selection.sectionSpecificity(r.entry().targetRef()))
        .thenComparingInt(Ranked::policyRank)
        .thenComparingInt(r -> r.entry().index()));
    return found.stream().map(Ranked::entry).toList();
  }

  private ToIndex toIndex() {
    if (toIndex == null) {
      List<Ranked> everyService = new ArrayList<>();
      Map<String, List<Ranked>> byService = new java.util.HashMap<>();
      for (int p = 0; p < matched.size(); p++) {
        Resource policy = matched.get(p);
        JsonNode to = policy.spec().path("to");
        for (int i = 0; i < to.size(); i++) {
          JsonNode ref = to.get(i).path("targetRef");
          Ranked ranked = new Ranked(p, new Entry(policy, i, to.get(i)));
          switch (Selection.kind(ref)) {
            case "Mesh" -> everyService.add(ranked);
            case "MeshService", "MeshServiceSubset" ->
                byService.computeIfAbsent(ref.path("name").asText(), k -> new ArrayList<>()).add(ranked);
            default -> { } // other kinds name no service (Selection.toMatches)
          }
        }
      }
      toIndex = new ToIndex(everyService, byService);
    }
    return toIndex;
  }

  /** The merged {@code to[].default} for calls to {@code service}. */
  public Conf to(String service) {
    // asked per cluster, listener and route of the service: merge once (a Conf is read-only)
    return toByService.computeIfAbsent(service, k -> mergeDefaults(toEntries(k)));
  }

  /**
   * The merged {@code to[].default} of policies whose top-level targetRef is the MeshHTTPRoute
   * {@code route}, for calls to {@code service} through it; they override the service's rules on
   * that route's Envoy routes.
   */
  public Conf toRoute(String route, String service) {
    List<Entry> entries = new ArrayList<>();
    for (Resource policy : routeTargeted) {
      if (!policy.spec().path("targetRef").path("name").asText().equals(route)) {
        continue;
      }
      JsonNode to = policy.spec().path("to");
      for (int i = 0; i < to.size(); i++) {
        if (Selection.toMatches(to.get(i).path("targetRef"), service)) {
          entries.add(new Entry(policy, i, to.get(i)));
        }
      }
    }
    return mergeDefaults(entries);
  }

  /** Policies targeting a MeshHTTPRoute by name (whichever route), in merge order. */
  public List<Resource> routeTargeted() {
    return routeTargeted;
  }

  /**
   * The configuration for traffic into {@code inbound}: the {@code from[]} items whose source is
   * the whole mesh, then the {@code rules[]} items, of the policies selecting the inbound.
   */
  public Conf inbound(Inbound inbound) {
    List<Entry> entries = new ArrayList<>();
    for (Resource policy : inboundPolicies(inbound)) {
      JsonNode from = policy.spec().path("from");
      for (int i = 0; i < from.size(); i++) {
        if (Selection.kind(from.get(i).path("targetRef")).equals("Mesh")) {
          entries.add(new Entry(policy, i, from.get(i)));
        }
      }
      JsonNode rules = policy.spec().path("rules");
      for (int i = 0; i < rules.size(); i++) {
        entries.add(new Entry(policy, i, rules.get(i)));
      }
    }
    return mergeDefaults(entries);
  }

  /**
   * For the inspect API: the {@code from[]} items for an inbound grouped by source (a targetRef),
   * each merged over the mesh-wide ones; the mesh-wide group (empty key) comes first.
   */
  public Map<String, FromSource> fromSources(Inbound inbound) {
    Map<String, FromSource> sources = new LinkedHashMap<>();
    List<Entry> meshWide = new ArrayList<>();
    List<Entry> specific = new ArrayList<>();
    for (Resource policy : inboundPolicies(inbound)) {
      JsonNode from = policy.spec().path("from");
      for (int i = 0; i < from.size(); i++) {
        Entry entry = new Entry(policy, i, from.get(i));
        (Selection.kind(entry.targetRef()).equals("Mesh") ? meshWide : specific).add(entry);
      }
    }
    if (!meshWide.isEmpty()) {
      sources.put("", new FromSource(com.fasterxml.jackson.databind.node.MissingNode.getInstance(),
          mergeDefaults(meshWide)));
    }
    specific.sort(Comparator.comparingInt(e -> Selection.sectionSpecificity(e.targetRef())));
    for (Entry entry : specific) {
      String key = entry.targetRef().toString();
      if (!sources.containsKey(key)) {
        List<Entry> chain = new ArrayList<>(meshWide);
        specific.stream().filter(e -> e.targetRef().toString().equals(key)).forEach(chain::add);
        sources.put(key, new FromSource(entry.targetRef(), mergeDefaults(chain)));
      }
    }
    return sources;
  }

  /** A group of {@code from[]} items naming the same callers, merged. */
  public record FromSource(JsonNode targetRef, Conf conf) {}

  /** The matched policies whose top-level targetRef selects this inbound, in merge order. */
  public List<Resource> inboundPolicies(Inbound inbound) {
    return matched.stream()
        .filter(p -> Selection.selectsInbound(p.spec().path("targetRef"), proxy, inbound))
        .toList();
  }

  private static Conf mergeDefaults(List<Entry> entries) {
    Conf conf = Conf.merging();
    for (Entry entry : entries) {
      conf.merge(entry.item().path("default"), entry.origin());
    }
    return conf;
  }

}
