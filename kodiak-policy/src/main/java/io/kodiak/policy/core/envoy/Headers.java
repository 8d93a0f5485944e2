package io.kodiak.policy.core.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/** Kuma header matches and header modifiers as Envoy config. */
public final class Headers {
  private Headers() {}

  /** A {@code {type, name, value}} match (Exact, Present, RegularExpression, Absent, Prefix). */
  public static HeaderMatcher matcher(JsonNode match) {
    HeaderMatcher.Builder out = HeaderMatcher.newBuilder().setName(match.path("name").asText());
    String value = match.path("value").asText("");
    switch (match.path("type").asText("Exact")) {
      case "Present" -> out.setPresentMatch(true);
      case "Absent" -> out.setPresentMatch(false);
      case "Prefix" -> out.setStringMatch(StringMatcher.newBuilder().setPrefix(value));
      case "RegularExpression" -> out.setStringMatch(StringMatcher.newBuilder().setSafeRegex(regex(value)));
      default -> out.setStringMatch(StringMatcher.newBuilder().setExact(value));
    }
    return out.build();
  }

  public static RegexMatcher regex(String pattern) {
    return RegexMatcher.newBuilder().setRegex(pattern).build();
  }

  /** A header to set (overwrite) or to add (append). */
  public static HeaderValueOption option(JsonNode header, boolean append) {
    return option(header.path("name").asText(), header.path("value").asText(),
        append ? HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD
            : HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
  }

  /** A header to set: it replaces a value the message has. */
  public static HeaderValueOption set(String name, String value) {
    return option(name, value, HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
  }

  /** A header to add: it goes beside a value the message has. */
  public static HeaderValueOption add(String name, String value) {
    return option(name, value, HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD);
  }

  private static HeaderValueOption option(String name, String value, HeaderValueOption.HeaderAppendAction action) {
    return HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(action).build();
  }
}
