package io.kodiak.policy.meshtrafficpermission;

import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A caller selection (a {@code from[].targetRef} or a {@code rules[]} match) as an Envoy RBAC
 * principal over the caller's certificate: its SPIFFE ID and its {@code kuma://tag/value} URIs.
 */
record Sources(int specificity, Principal principal, String key) {
  /** From a from[] targetRef: Mesh < MeshSubset < MeshService < MeshServiceSubset. */
  static Sources fromTargetRef(String mesh, JsonNode ref) {
    String kind = ref.path("kind").asText("Mesh");
    String name = ref.path("name").asText("");
    Map<String, String> tags = new TreeMap<>();
    ref.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
    List<Principal> all = new ArrayList<>();
    int specificity;
    switch (kind) {
      case "MeshService" -> {
        specificity = 2;
        all.add(uri(exact("spiffe://" + mesh + "/" + name)));
      }
      case "MeshServiceSubset" -> {
        specificity = 3;
        all.add(uri(exact("spiffe://" + mesh + "/" + name)));
      }
      case "MeshSubset" -> specificity = 1;
      default -> {
        specificity = 0;
        all.add(uri(StringMatcher.newBuilder().setPrefix("spiffe://" + mesh + "/").build()));
      }
    }
    tags.forEach((k, v) -> all.add(uri(exact("kuma://" + k + "/" + v))));
    if (all.isEmpty()) {
      all.add(uri(StringMatcher.newBuilder().setPrefix("spiffe://" + mesh + "/").build()));
    }
    Principal principal =
        all.size() == 1
            ? all.get(0)
            : Principal.newBuilder().setAndIds(Principal.Set.newBuilder().addAllIds(all)).build();
    return new Sources(specificity, principal, kind + "/" + name + "/" + tags);
  }

  /** From a rules[] entry: a spiffeID match (Exact or Prefix). */
  static Sources fromMatch(MeshTrafficPermissionConf.Match match) {
    MeshTrafficPermissionConf.Value spiffe = match.spiffeID();
    String value = spiffe == null || spiffe.value() == null ? "" : spiffe.value();
    StringMatcher matcher =
        spiffe != null && "Prefix".equals(spiffe.type())
            ? StringMatcher.newBuilder().setPrefix(value).build()
            : exact(value);
    return new Sources(4, uri(matcher), "spiffe/" + value);
  }

  private static StringMatcher exact(String value) {
    return StringMatcher.newBuilder().setExact(value).build();
  }

  /** The caller's certificate carries a URI SAN matching this (Envoy checks every URI SAN). */
  private static Principal uri(StringMatcher matcher) {
    return Principal.newBuilder()
        .setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(matcher))
        .build();
  }
}
