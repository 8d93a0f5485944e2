package io.kodiak.ctl.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.ctl.client.ResourceTypes.TypeInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The table columns for each kind of resource, following kumactl's layouts. */
public final class Columns {
  private Columns() {}

  public static Table table(TypeInfo type, Iterable<JsonNode> items, Instant now) {
    Table table;
    if (type.name().equals("Mesh")) {
      table = new Table("NAME", "mTLS", "METRICS", "LOGGING", "TRACING", "AGE");
      for (JsonNode m : items) {
        table.row(
            m.path("name").asText(),
            backend(m.path("mtls"), "enabledBackend"),
            backend(m.path("metrics"), "enabledBackend"),
            backend(m.path("logging"), "defaultBackend"),
            backend(m.path("tracing"), "defaultBackend"),
            age(m, now));
      }
    } else if (type.name().equals("Dataplane")) {
      table = new Table("MESH", "NAME", "TAGS", "AGE");
      for (JsonNode d : items) {
        table.row(d.path("mesh").asText(), d.path("name").asText(), tags(d), age(d, now));
      }
    } else if (type.policy()) {
      table = new Table("MESH", "NAME", "TARGETREF", "AGE");
      for (JsonNode p : items) {
        table.row(
            p.path("mesh").asText(),
            p.path("name").asText(),
            targetRef(p.path("spec").path("targetRef")),
            age(p, now));
      }
    } else {
      table = type.meshScoped() ? new Table("MESH", "NAME", "AGE") : new Table("NAME", "AGE");
      for (JsonNode r : items) {
        if (type.meshScoped()) {
          table.row(r.path("mesh").asText(), r.path("name").asText(), age(r, now));
        } else {
          table.row(r.path("name").asText(), age(r, now));
        }
      }
    }
    return table;
  }

  private static String backend(JsonNode section, String field) {
    String name = section.path(field).asText("");
    if (name.isEmpty()) {
      return "off";
    }
    for (JsonNode b : section.path("backends")) {
      if (b.path("name").asText().equals(name)) {
        return b.path("type").asText(name) + "/" + name;
      }
    }
    return name;
  }

  private static String tags(JsonNode dataplane) {
    List<String> tags = new ArrayList<>();
    JsonNode networking = dataplane.path("networking");
    List<JsonNode> sources = new ArrayList<>();
    networking.path("inbound").forEach(sources::add);
    if (networking.has("gateway")) {
      sources.add(networking.get("gateway"));
    }
    for (JsonNode source : sources) {
      Iterator<Map.Entry<String, JsonNode>> it = source.path("tags").fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> tag = it.next();
        String text = tag.getKey() + "=" + tag.getValue().asText();
        if (!tags.contains(text)) {
          tags.add(text);
        }
      }
    }
    return String.join(" ", tags);
  }

  private static String targetRef(JsonNode ref) {
    if (ref.isMissingNode()) {
      return "Mesh";
    }
    String kind = ref.path("kind").asText("Mesh");
    return ref.has("name") ? kind + "/" + ref.path("name").asText() : kind;
  }

  /** Age in kumactl's style: the largest whole unit (s, m, h, d). */
  public static String age(JsonNode resource, Instant now) {
    String created = resource.path("creationTime").asText("");
    if (created.isEmpty()) {
      return "unknown";
    }
    Duration d = Duration.between(Instant.parse(created), now);
    if (d.isNegative()) {
      d = Duration.ZERO;
    }
    if (d.toSeconds() < 60) {
      return d.toSeconds() + "s";
    } else if (d.toMinutes() < 60) {
      return d.toMinutes() + "m";
    } else if (d.toHours() < 24) {
      return d.toHours() + "h";
    }
    return d.toDays() + "d";
  }
}
