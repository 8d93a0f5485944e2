package io.kodiak.policy.meshhttproute;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.kodiak.policy.core.envoy.Headers;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.rules.RouteRules;
import io.kodiak.xds.generate.ProxyResources;
import java.util.Map;
import java.util.TreeMap;

/** One MeshHTTPRoute match and its conf as an Envoy route. */
final class EnvoyRoutes {
  private EnvoyRoutes() {}

  static Route route(RouteRules.MatchRule rule, String service, ProxyResources resources) {
    Route.Builder route = Route.newBuilder().setName(rule.policy()).setMatch(match(rule.match()));
    JsonNode conf = rule.conf();
    RouteAction.Builder action = RouteAction.newBuilder();
    JsonNode backends = conf.path("backendRefs");
    if (backends.size() == 1 || backends.isEmpty()) {
      action.setCluster(
          backends.isEmpty()
              ? resources.serviceCluster(service, Map.of())
              : cluster(backends.get(0), resources));
    } else {
      WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
      for (JsonNode backend : backends) {
        int weight = backend.path("weight").asInt(1);
        if (weight > 0) {
          weighted.addClusters(
              WeightedCluster.ClusterWeight.newBuilder()
                  .setName(cluster(backend, resources))
                  .setWeight(UInt32Value.of(weight)));
        }
      }
      action.setWeightedClusters(weighted);
    }
    boolean redirected = false;
    for (JsonNode filter : conf.path("filters")) {
      switch (filter.path("type").asText()) {
        case "RequestHeaderModifier" -> {
          JsonNode m = filter.path("requestHeaderModifier");
          m.path("set").forEach(h -> route.addRequestHeadersToAdd(Headers.option(h, false)));
          m.path("add").forEach(h -> route.addRequestHeadersToAdd(Headers.option(h, true)));
          m.path("remove").forEach(h -> route.addRequestHeadersToRemove(h.asText()));
        }
        case "ResponseHeaderModifier" -> {
          JsonNode m = filter.path("responseHeaderModifier");
          m.path("set").forEach(h -> route.addResponseHeadersToAdd(Headers.option(h, false)));
          m.path("add").forEach(h -> route.addResponseHeadersToAdd(Headers.option(h, true)));
          m.path("remove").forEach(h -> route.addResponseHeadersToRemove(h.asText()));
        }
        case "RequestRedirect" -> {
          route.setRedirect(redirect(filter.path("requestRedirect"), rule.match()));
          redirected = true;
        }
        case "URLRewrite" -> rewrite(filter.path("urlRewrite"), rule.match(), action);
        case "RequestMirror" -> {
          JsonNode mirror = filter.path("requestMirror");
          RouteAction.RequestMirrorPolicy.Builder policy =
              RouteAction.RequestMirrorPolicy.newBuilder()
                  .setCluster(cluster(mirror.path("backendRef"), resources));
          if (mirror.has("percentage")) {
            policy.setRuntimeFraction(
                RuntimeFractionalPercent.newBuilder()
                    .setDefaultValue(Values.fraction(mirror.path("percentage"))));
          }
          action.addRequestMirrorPolicies(policy);
        }
        default -> {}
      }
    }
    if (!redirected) {
      route.setRoute(action);
    }
    return route.build();
  }

  private static String cluster(JsonNode backendRef, ProxyResources resources) {
    Map<String, String> tags = new TreeMap<>();
    backendRef
        .path("tags")
        .fields()
        .forEachRemaining(t -> tags.put(t.getKey(), t.getValue().asText()));
    return resources.serviceCluster(backendRef.path("name").asText(), tags);
  }

  static RouteMatch match(JsonNode match) {
    RouteMatch.Builder out = RouteMatch.newBuilder();
    JsonNode path = match.path("path");
    String value = path.path("value").asText("/");
    switch (path.path("type").asText("")) {
      case "Exact" -> out.setPath(value);
      case "RegularExpression" -> out.setSafeRegex(Headers.regex(value));
      case "PathPrefix" -> {
        // "/api" matches /api and /api/x but not /apix, as in the Gateway API
        String trimmed = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        if (trimmed.isEmpty()) {
          out.setPrefix("/");
        } else {
          out.setPathSeparatedPrefix(trimmed);
        }
      }
      default -> out.setPrefix("/");
    }
    if (match.has("method")) {
      out.addHeaders(
          HeaderMatcher.newBuilder()
              .setName(":method")
              .setStringMatch(StringMatcher.newBuilder().setExact(match.path("method").asText())));
    }
    match.path("headers").forEach(h -> out.addHeaders(Headers.matcher(h)));
    for (JsonNode query : match.path("queryParams")) {
      StringMatcher.Builder string = StringMatcher.newBuilder();
      if (query.path("type").asText("Exact").equals("RegularExpression")) {
        string.setSafeRegex(Headers.regex(query.path("value").asText()));
      } else {
        string.setExact(query.path("value").asText());
      }
      out.addQueryParameters(
          QueryParameterMatcher.newBuilder()
              .setName(query.path("name").asText())
              .setStringMatch(string));
    }
    return out.build();
  }

  private static RedirectAction redirect(JsonNode conf, JsonNode match) {
    RedirectAction.Builder out = RedirectAction.newBuilder();
    if (conf.has("scheme")) {
      out.setSchemeRedirect(conf.path("scheme").asText());
    }
    if (conf.has("hostname")) {
      out.setHostRedirect(conf.path("hostname").asText());
    }
    if (conf.has("port")) {
      out.setPortRedirect(conf.path("port").asInt());
    }
    JsonNode path = conf.path("path");
    if (path.path("type").asText().equals("ReplaceFullPath")) {
      out.setPathRedirect(path.path("replaceFullPath").asText());
    } else if (path.path("type").asText().equals("ReplacePrefixMatch")) {
      out.setPrefixRewrite(path.path("replacePrefixMatch").asText());
    }
    out.setResponseCode(
        switch (conf.path("statusCode").asInt(302)) {
          case 301 -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
          case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
          case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
          case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
          default -> RedirectAction.RedirectResponseCode.FOUND;
        });
    return out.build();
  }

  private static void rewrite(JsonNode conf, JsonNode match, RouteAction.Builder action) {
    if (conf.has("hostname")) {
      action.setHostRewriteLiteral(conf.path("hostname").asText());
    }
    JsonNode path = conf.path("path");
    if (path.path("type").asText().equals("ReplaceFullPath")) {
      action.setRegexRewrite(
          RegexMatchAndSubstitute.newBuilder()
              .setPattern(Headers.regex("^.*$"))
              .setSubstitution(path.path("replaceFullPath").asText()));
    } else if (path.path("type").asText().equals("ReplacePrefixMatch")) {
      action.setPrefixRewrite(path.path("replacePrefixMatch").asText());
    }
  }
}
