package io.kodiak.ctl.commands;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;

/**
 * The {@code _rules} answer as text an operator reads top to bottom: per policy type, per
 * destination and per inbound, each effective value and the policy that set it.
 */
final class RulesText {
  private RulesText() {}

  static void print(JsonNode rules, PrintWriter out) {
    out.println(
        "Dataplane "
            + rules.path("resource").path("mesh").asText()
            + "/"
            + rules.path("resource").path("name").asText());
    if (rules.path("rules").isEmpty()) {
      out.println("  no policy selects this dataplane");
    }
    for (JsonNode rule : rules.path("rules")) {
      out.println();
      out.println(rule.path("type").asText());
      if (rule.has("proxyRule")) {
        out.println("  proxy:");
        values(rule.path("proxyRule"), out);
      }
      for (JsonNode to : rule.path("toRules")) {
        out.println("  to " + matchers(to.path("matchers")) + ":");
        values(to, out);
      }
      for (JsonNode inbound : rule.path("inboundRules")) {
        out.println("  inbound port " + inbound.path("inbound").path("port").asText() + ":");
        values(inbound.path("rules").path(0), out);
      }
      for (JsonNode warning : rule.path("warnings")) {
        out.println("  warning: " + warning.asText());
      }
    }
    out.flush();
  }

  private static void values(JsonNode rule, PrintWriter out) {
    JsonNode setBy = rule.path("valueOrigins");
    if (setBy.isEmpty()) {
      JsonNode conf = rule.path("conf");
      out.println(
          "    "
              + (conf.isArray() ? conf.path(0) : conf)
              + "  (from "
              + names(rule.path("origin"))
              + ")");
      return;
    }
    JsonNode conf = rule.path("conf").isArray() ? rule.path("conf").path(0) : rule.path("conf");
    Iterator<Map.Entry<String, JsonNode>> it = setBy.fields();
    int width = 0;
    for (Iterator<String> names = setBy.fieldNames(); names.hasNext(); ) {
      width = Math.max(width, names.next().length());
    }
    while (it.hasNext()) {
      var entry = it.next();
      JsonNode value = conf.at("/" + entry.getKey().replace(".", "/"));
      String shown = value.isValueNode() ? value.asText() : value.toString();
      out.printf(
          "    %-" + width + "s = %s   (set by %s)%n",
          entry.getKey(),
          shown,
          entry.getValue().asText());
    }
  }

  private static String matchers(JsonNode matchers) {
    if (matchers.isEmpty()) {
      return "everything";
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode m : matchers) {
      text.append(text.isEmpty() ? "" : ", ")
          .append(m.path("key").asText())
          .append(m.path("not").asBoolean() ? "!=" : "=")
          .append(m.path("value").asText());
    }
    return text.toString();
  }

  private static String names(JsonNode origins) {
    StringBuilder text = new StringBuilder();
    for (JsonNode o : origins) {
      JsonNode meta = o.has("resourceMeta") ? o.path("resourceMeta") : o;
      text.append(text.isEmpty() ? "" : ", ").append(meta.path("name").asText());
    }
    return text.toString();
  }
}
