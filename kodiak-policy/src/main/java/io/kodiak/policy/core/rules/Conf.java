package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The merged configuration of one rule and the policy entries it came from, in merge order (the
 * last one wins where they disagree). Build with {@link #merging()}; read-only afterwards.
 */
public final class Conf {
  public static final Conf EMPTY = new Conf();
  private final ObjectNode conf = JsonNodeFactory.instance.objectNode();
  private final List<Origin> origins = new ArrayList<>();
  private final java.util.Map<String, Origin> setBy = new java.util.TreeMap<>();

  private Conf() {}

  static Conf merging() {
    return new Conf();
  }

  void merge(com.fasterxml.jackson.databind.JsonNode patch, Origin origin) {
    MergePatch.apply(conf, patch);
    origins.add(origin);
    record("", patch, origin);
  }

  /** Notes which policy entry set each value (leaf or list) the patch carries. */
  private void record(String prefix, com.fasterxml.jackson.databind.JsonNode patch, Origin origin) {
    patch.fields().forEachRemaining(field -> {
      String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      setBy.keySet().removeIf(k -> k.startsWith(path + "."));
      if (field.getValue().isObject()) {
        record(path, field.getValue(), origin);
      } else if (field.getValue().isNull()) {
        setBy.remove(path);
      } else {
        setBy.put(path, origin);
      }
    });
  }

  /** For each value in the merged conf (dotted path), the policy entry that set it last. */
  public java.util.Map<String, Origin> setBy() {
    return java.util.Collections.unmodifiableMap(setBy);
  }

  /** This conf with {@code later} merged over it (a route's own rules over its service's). */
  public Conf then(Conf later) {
    if (later.isEmpty()) {
      return this;
    }
    Conf out = new Conf();
    MergePatch.apply(out.conf, conf);
    MergePatch.apply(out.conf, later.conf);
    out.origins.addAll(origins);
    out.origins.addAll(later.origins);
    out.setBy.putAll(setBy);
    later.setBy.forEach((path, origin) -> {
      out.setBy.keySet().removeIf(k -> k.startsWith(path + "."));
      out.setBy.put(path, origin);
    });
    return out;
  }

  /** The merged {@code default}; do not modify. */
  public ObjectNode conf() {
    return conf;
  }

  public List<Origin> origins() {
    return List.copyOf(origins);
  }

  public boolean isEmpty() {
    return origins.isEmpty();
  }
}
