package io.kodiak.dp.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which Envoy metric families a MeshMetric keeps: the union of the profiles (All, Basic, None;
 * Basic when none is given), then {@code include} adds and {@code exclude} removes by name (Prefix,
 * Regex, Exact or Contains), exclusions winning.
 */
final class StatsFilter {
  /** The Basic profile: traffic, errors, latency and health of listeners, routes and clusters. */
  private static final List<String> BASIC_PREFIXES =
      List.of(
          "envoy_cluster_upstream_rq",
          "envoy_cluster_upstream_cx",
          "envoy_cluster_outlier_detection",
          "envoy_cluster_circuit_breakers",
          "envoy_cluster_membership",
          "envoy_cluster_health_check",
          "envoy_cluster_retry",
          "envoy_http_downstream_rq",
          "envoy_http_downstream_cx",
          "envoy_listener_downstream_cx",
          "envoy_server_live",
          "envoy_server_uptime",
          "envoy_server_memory",
          "envoy_server_version",
          "envoy_tcp_");

  private final boolean all;
  private final boolean basic;
  private final List<Matcher> include;
  private final List<Matcher> exclude;

  StatsFilter(JsonNode profiles) {
    JsonNode append = profiles.path("appendProfiles");
    boolean anyAll = false;
    boolean anyBasic = append.isEmpty();
    for (JsonNode profile : append) {
      anyAll |= profile.path("name").asText().equals("All");
      anyBasic |= profile.path("name").asText().equals("Basic");
    }
    this.all = anyAll;
    this.basic = anyBasic;
    this.include = matchers(profiles.path("include"));
    this.exclude = matchers(profiles.path("exclude"));
  }

  boolean keeps(String family) {
    if (exclude.stream().anyMatch(m -> m.matches(family))) {
      return false;
    }
    return all
        || (basic && BASIC_PREFIXES.stream().anyMatch(family::startsWith))
        || include.stream().anyMatch(m -> m.matches(family));
  }

  /** Keeps the lines of the families this filter keeps. */
  String filter(String exposition) {
    StringBuilder out = new StringBuilder();
    String current = null;
    boolean keep = false;
    for (String line : exposition.split("\n")) {
      String family = familyOf(line);
      if (family != null && !family.equals(current)) {
        current = family;
        keep = keeps(family);
      }
      if (keep && !line.isBlank()) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }

  /**
   * The family a line belongs to: from {@code # TYPE name ...}/{@code # HELP}, or a sample's name.
   */
  private static String familyOf(String line) {
    if (line.startsWith("# TYPE ") || line.startsWith("# HELP ")) {
      String rest = line.substring(7);
      int space = rest.indexOf(' ');
      return space < 0 ? rest : rest.substring(0, space);
    }
    if (line.isBlank() || line.startsWith("#")) {
      return null;
    }
    int end = 0;
    while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
      end++;
    }
    String name = line.substring(0, end);
    for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
      if (name.endsWith(suffix)) {
        return null; // a histogram's series: stays with its family's # TYPE line
      }
    }
    return name;
  }

  private record Matcher(String type, String match, Pattern regex) {
    boolean matches(String name) {
      return switch (type) {
        case "Prefix" -> name.startsWith(match);
        case "Exact" -> name.equals(match);
        case "Contains" -> name.contains(match);
        default -> regex.matcher(name).matches();
      };
    }
  }

  private static List<Matcher> matchers(JsonNode list) {
    List<Matcher> out = new ArrayList<>();
    for (JsonNode m : list) {
      String type = m.path("type").asText();
      String match = m.path("match").asText();
      out.add(new Matcher(type, match, type.equals("Regex") ? Pattern.compile(match) : null));
    }
    return out;
  }
}
