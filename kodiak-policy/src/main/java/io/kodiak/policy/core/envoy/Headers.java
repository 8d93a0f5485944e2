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
    return matcher(
        match.path("type").asText("Exact"),
        match.path("name").asText(),
        match.path("value").asText(""));
  }

  /** The same match from a decoded conf: a null type is Exact, a null value the empty string. */
  public static HeaderMatcher matcher(String type, String name, String value) {
    HeaderMatcher.Builder out = HeaderMatcher.newBuilder().setName(name);
    String text = value == null ? "" : value;
    switch (type == null ? "Exact" : type) {
      case "Present" -> out.setPresentMatch(true);
      case "Absent" -> out.setPresentMatch(false);
      case "Prefix" -> out.setStringMatch(StringMatcher.newBuilder().setPrefix(text));
      case "RegularExpression" ->
          out.setStringMatch(StringMatcher.newBuilder().setSafeRegex(regex(text)));
      default -> out.setStringMatch(StringMatcher.newBuilder().setExact(text));
    }
    return out.build();
  }

  public static RegexMatcher regex(String pattern) {
    return RegexMatcher.newBuilder().setRegex(pattern).build();
  }

  /** A header to set (overwrite) or to add (append). */
  public static HeaderValueOption option(JsonNode header, boolean append) {
    String name = header.path("name").asText();
    String value = header.path("value").asText();
    return append ? append(name, value) : overwrite(name, value);
  }

  /** A header set on the message, replacing any value it had. */
  public static HeaderValueOption overwrite(String name, String value) {
    return option(name, value, HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
  }

  /** A header added to the message, beside any value it had. */
  public static HeaderValueOption append(String name, String value) {
    return option(name, value, HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD);
  }

  private static HeaderValueOption option(
      String name, String value, HeaderValueOption.HeaderAppendAction action) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(action)
        .build();
  }
}
