package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.kodiak.model.core.Resource;
import io.kodiak.policy.core.TargetRefKind;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The policies of one type that apply to one proxy, and their merged configuration for the proxy as
 * a whole, for each destination service ({@code to}), for each inbound ({@code from} and {@code
 * rules}) and for each MeshHTTPRoute. The one place matching and merging happen: built once per
 * proxy and type, the plugin builds Envoy config from it and the inspect API shows it, so both
 * always agree. Immutable; its {@code to[]} side ({@link ToRules}) is shared by every proxy with
 * the same selection. One generation or one inspect request uses it at a time.
 */
public final class PolicyRules<C> {
  private final TypedPolicies<C> policies;
  private final ProxyModel proxy;
  private final List<DecodedPolicy<C>> matched;
  private final List<DecodedPolicy<C>> routeTargeted;
  private final MatchedPolicies selection;
  private final ToRules<C> toRules; // shared by every proxy with the same selection

  private PolicyRules(
      TypedPolicies<C> policies, MeshSnapshot mesh, ProxyModel proxy, Shadow shadow) {
    this.policies = policies;
    this.proxy = proxy;
    List<DecodedPolicy<C>> selecting = new ArrayList<>();
    List<DecodedPolicy<C>> byRoute = new ArrayList<>();
    for (DecodedPolicy<C> policy : policies.in(mesh)) {
      if (shadow == Shadow.EXCLUDED && policy.shadow()) {
        continue;
      }
      if (policy.kind() == TargetRefKind.MESH_HTTP_ROUTE) {
        byRoute.add(policy);
      } else if (policy.everyProxy() || Selection.selectsProxy(policy.targetRef(), proxy)) {
        selecting.add(policy);
      }
    }
    // policies.in(mesh) is in merge order already (sorted once per snapshot)
    this.matched = List.copyOf(selecting);
    this.routeTargeted = List.copyOf(byRoute);
    this.selection = new MatchedPolicies(matched);
    this.toRules = policies.toRules(mesh, selection);
  }

  /**
   * The rules of {@code policies} for a proxy; dry-run policies only when {@code shadow} includes
   * them.
   */
  public static <C> PolicyRules<C> of(
      TypedPolicies<C> policies, MeshSnapshot mesh, ProxyModel proxy, Shadow shadow) {
    return new PolicyRules<>(policies, mesh, proxy, shadow);
  }

  /** What the data path gets: no shadow policies. */
  public static <C> PolicyRules<C> of(
      TypedPolicies<C> policies, MeshSnapshot mesh, ProxyModel proxy) {
    return of(policies, mesh, proxy, Shadow.EXCLUDED);
  }

  /** The type's wire name ({@code MeshTimeout}). */
  public String type() {
    return policies.type().name();
  }

  /**
   * Which policies of the type select this proxy, compared by identity: two proxies with equal
   * selections in one snapshot have equal {@code to[]} rules (and equal proxy-level confs).
   */
  public Object selection() {
    return selection;
  }

  /** The policies whose top-level targetRef selects this proxy, in merge order. */
  public List<Resource> matched() {
    return matched.stream().map(DecodedPolicy::resource).toList();
  }

  /**
   * Whether any policy selects this proxy or one of its routes: when not, a plugin has nothing to
   * do.
   */
  public boolean isEmpty() {
    return matched.isEmpty() && routeTargeted.isEmpty();
  }

  /** The top-level {@code default} blocks merged (MeshProxyPatch, MeshTrace, MeshMetric...). */
  public Conf<C> proxy() {
    Conf<C> conf = Conf.merging(policies.conf());
    for (DecodedPolicy<C> policy : matched) {
      if (policy.top() != null) {
        conf.merge(policy.top());
      }
    }
    return conf;
  }

  /**
   * The {@code to[]} items that apply to calls to {@code service}, in merge order: less specific
   * destinations first (Mesh before MeshService), then by policy order, then list order.
   */
  public List<Entry<C>> toEntries(String service) {
    return toRules.entries(service);
  }

  /** The merged {@code to[].default} for calls to {@code service}. */
  public Conf<C> to(String service) {
    return toRules.merged(service);
  }

  /**
   * The merged {@code to[].default} of policies whose top-level targetRef is the MeshHTTPRoute
   * {@code route}, for calls to {@code service} through it; they override the service's rules on
   * that route's Envoy routes.
   */
  public Conf<C> toRoute(String route, String service) {
    List<Entry<C>> entries = new ArrayList<>();
    for (DecodedPolicy<C> policy : routeTargeted) {
      if (!policy.targetRef().path("name").asText().equals(route)) {
        continue;
      }
      for (Entry<C> entry : policy.to()) {
        if (Selection.toMatches(entry.targetRef(), service)) {
          entries.add(entry);
        }
      }
    }
    return mergeDefaults(entries);
  }

  /** Policies targeting a MeshHTTPRoute by name (whichever route), in merge order. */
  public List<Resource> routeTargeted() {
    return routeTargeted.stream().map(DecodedPolicy::resource).toList();
  }

  /**
   * The configuration for traffic into {@code inbound}: the {@code from[]} items whose source is
   * the whole mesh, then the {@code rules[]} items, of the policies selecting the inbound.
   */
  public Conf<C> inbound(Inbound inbound) {
    List<Entry<C>> entries = new ArrayList<>();
    for (DecodedPolicy<C> policy : selecting(inbound)) {
      for (Entry<C> from : policy.from()) {
        if (Selection.kind(from.targetRef()) == TargetRefKind.MESH) {
          entries.add(from);
        }
      }
      entries.addAll(policy.rules());
    }
    return mergeDefaults(entries);
  }

  /**
   * The {@code from[]} and {@code rules[]} items of the policies selecting {@code inbound}, in
   * merge order.
   */
  public List<Entry<C>> fromEntries(Inbound inbound) {
    List<Entry<C>> entries = new ArrayList<>();
    selecting(inbound).forEach(p -> entries.addAll(p.from()));
    return entries;
  }

  /** The {@code rules[]} items of the policies selecting {@code inbound}, in merge order. */
  public List<Entry<C>> ruleEntries(Inbound inbound) {
    List<Entry<C>> entries = new ArrayList<>();
    selecting(inbound).forEach(p -> entries.addAll(p.rules()));
    return entries;
  }

  /**
   * For the inspect API: the {@code from[]} items for an inbound grouped by source (a targetRef),
   * each merged over the mesh-wide ones; the mesh-wide group (empty key) comes first.
   */
  public Map<String, FromSource<C>> fromSources(Inbound inbound) {
    Map<String, FromSource<C>> sources = new LinkedHashMap<>();
    List<Entry<C>> meshWide = new ArrayList<>();
    List<Entry<C>> specific = new ArrayList<>();
    for (Entry<C> entry : fromEntries(inbound)) {
      (Selection.kind(entry.targetRef()) == TargetRefKind.MESH ? meshWide : specific).add(entry);
    }
    if (!meshWide.isEmpty()) {
      sources.put("", new FromSource<>(MissingNode.getInstance(), mergeDefaults(meshWide)));
    }
    specific.sort(Comparator.comparingInt(e -> Selection.sectionSpecificity(e.targetRef())));
    for (Entry<C> entry : specific) {
      String key = entry.targetRef().toString();
      if (!sources.containsKey(key)) {
        List<Entry<C>> chain = new ArrayList<>(meshWide);
        specific.stream().filter(e -> e.targetRef().toString().equals(key)).forEach(chain::add);
        sources.put(key, new FromSource<>(entry.targetRef(), mergeDefaults(chain)));
      }
    }
    return sources;
  }

  /** A group of {@code from[]} items naming the same callers, merged. */
  public record FromSource<C>(JsonNode targetRef, Conf<C> conf) {}

  /** The matched policies whose top-level targetRef selects this inbound, in merge order. */
  public List<Resource> inboundPolicies(Inbound inbound) {
    return selecting(inbound).stream().map(DecodedPolicy::resource).toList();
  }

  private List<DecodedPolicy<C>> selecting(Inbound inbound) {
    return matched.stream()
        .filter(p -> Selection.selectsInbound(p.targetRef(), proxy, inbound))
        .toList();
  }

  private Conf<C> mergeDefaults(List<Entry<C>> entries) {
    Conf<C> conf = Conf.merging(policies.conf());
    entries.forEach(conf::merge);
    return conf;
  }
}
