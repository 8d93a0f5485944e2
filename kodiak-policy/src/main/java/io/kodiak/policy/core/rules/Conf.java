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
  /** Each merged patch, beside its origin: which entry set which value is worked out only when asked. */
  private final List<com.fasterxml.jackson.databind.JsonNode> patches = new ArrayList<>();
  private java.util.TreeMap<String, Origin> setBy; // built on first ask (the inspect API); generation never asks

  private Conf() {}

  static Conf merging() {
    return new Conf();
  }

  void merge(com.fasterxml.jackson.databind.JsonNode patch, Origin origin) {
    MergePatch.apply(conf, patch);
    origins.add(origin);
    patches.add(patch);
  }

  /** Notes which policy entry set each value (leaf or list) the patch carries. */
  private void record(String prefix, com.fasterxml.jackson.databind.JsonNode patch, Origin origin) {
    patch.fields().forEachRemaining(field -> {
      String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      forgetBelow(setBy, path);
      if (field.getValue().isObject()) {
        record(path, field.getValue(), origin);
      } else if (field.getValue().isNull()) {
        setBy.remove(path);
      } else {
        setBy.put(path, origin);
      }
    });
  }

  /** Drops the origins of values under {@code path} ("a.b" drops "a.b.c"): a range, since '/' follows '.'. */
  private static void forgetBelow(java.util.TreeMap<String, Origin> setBy, String path) {
    setBy.subMap(path + ".", path + "/").clear();
  }

  /** For each value in the merged conf (dotted path), the policy entry that set it last. */
  public synchronized java.util.Map<String, Origin> setBy() {
    if (setBy == null) {
      setBy = new java.util.TreeMap<>();
      for (int i = 0; i < patches.size(); i++) {
        record("", patches.get(i), origins.get(i));
      }
    }
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
    out.patches.addAll(patches);
    out.patches.addAll(later.patches);
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
