package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP route rules for one destination: every {@code to[].rules[]} item of the matching
 * MeshHTTPRoutes, rules with identical matches merged (later policy wins field by field), then each
 * match ordered as the Gateway API ranks them — exact path, then longer prefix, then regular
 * expression, then with a method, then more header matches, then more query matches.
 */
public final class RouteRules {
  /** One match of a rule, with the rule's merged conf and the policy that last shaped it. */
  public record MatchRule(JsonNode match, ObjectNode conf, String policy) {}

  private RouteRules() {}

  public static List<MatchRule> of(List<? extends Entry<?>> entries) {
    Map<String, Merged> byMatches = new LinkedHashMap<>();
    for (Entry<?> entry : entries) {
      for (JsonNode rule : entry.item().path("rules")) {
        JsonNode matches = rule.path("matches");
        Merged merged = byMatches.computeIfAbsent(matches.toString(), k -> new Merged(matches));
        MergePatch.apply(merged.conf, rule.path("default"));
        merged.policy = entry.policy().name();
      }
    }
    List<MatchRule> out = new ArrayList<>();
    for (Merged merged : byMatches.values()) {
      if (merged.matches.isEmpty()) {
        out.add(new MatchRule(JsonNodeFactory.instance.objectNode(), merged.conf, merged.policy));
      }
      for (JsonNode match : merged.matches) {
        out.add(new MatchRule(match, merged.conf, merged.policy));
      }
    }
    out.sort(Comparator.comparing((MatchRule r) -> rank(r.match())).reversed());
    return out;
  }

  private static final class Merged {
    final JsonNode matches;
    final ObjectNode conf = JsonNodeFactory.instance.objectNode();
    String policy;

    Merged(JsonNode matches) {
      this.matches = matches;
    }
  }

  /** A sortable rank; higher is more specific and goes first. */
  private static Rank rank(JsonNode match) {
    JsonNode path = match.path("path");
    int pathKind = switch (path.path("type").asText("PathPrefix")) { // no path is the prefix "/"
          case "Exact" -> 3;
          case "PathPrefix" -> 2;
          case "RegularExpression" -> 1;
          default -> 0;
        };
    int length = path.path("value").asText("/").length();
    return new Rank(
        pathKind,
        pathKind == 2 ? length : 0,
        match.has("method") ? 1 : 0,
        match.path("headers").size(),
        match.path("queryParams").size());
  }

  private record Rank(int pathKind, int prefixLength, int method, int headers, int queries)
      implements Comparable<Rank> {
    @Override
    public int compareTo(Rank o) {
      return Comparator.comparingInt(Rank::pathKind)
          .thenComparingInt(Rank::prefixLength)
          .thenComparingInt(Rank::method)
          .thenComparingInt(Rank::headers)
          .thenComparingInt(Rank::queries)
          .compare(this, o);
    }
  }
}
