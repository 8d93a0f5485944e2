package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The merged configuration of one rule and the policy entries it came from, in merge order (the
 * last one wins where they disagree): as the plugin reads it ({@link #value()}, typed) and as the
 * inspect API shows it ({@link #conf()}, JSON, with which entry set each value). Both are merged
 * from the same entries in the same order. Built by {@link PolicyRules}; read-only afterwards.
 */
public final class Conf<C> {
  private final ConfType<C> type;
  private final ObjectNode json = JsonNodeFactory.instance.objectNode();
  private final List<Origin> origins = new ArrayList<>();

  /**
   * Each merged block, beside its origin: which entry set which value is worked out only when
   * asked.
   */
  private final List<JsonNode> patches = new ArrayList<>();

  private final List<C> parts = new ArrayList<>();
  private C value; // merged on first ask
  private TreeMap<String, Origin>
      setBy; // built on first ask (the inspect API); generation never asks

  private Conf(ConfType<C> type) {
    this.type = type;
  }

  static <C> Conf<C> merging(ConfType<C> type) {
    return new Conf<>(type);
  }

  void merge(Entry<C> entry) {
    merge(entry.item().path("default"), entry.conf(), entry.origin());
  }

  void merge(JsonNode patch, C part, Origin origin) {
    MergePatch.apply(json, patch);
    origins.add(origin);
    patches.add(patch);
    parts.add(part);
  }

  /** The merged conf, typed: every component the entries left unset is null. */
  public synchronized C value() {
    if (value == null) {
      value = type.merged(parts, json);
    }
    return value;
  }

  /** Notes which policy entry set each value (leaf or list) the patch carries. */
  private void record(String prefix, JsonNode patch, Origin origin) {
    patch
        .fields()
        .forEachRemaining(
            field -> {
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

  /**
   * Drops the origins of values under {@code path} ("a.b" drops "a.b.c"): a range, since '/'
   * follows '.'.
   */
  private static void forgetBelow(TreeMap<String, Origin> setBy, String path) {
    setBy.subMap(path + ".", path + "/").clear();
  }

  /** For each value in the merged conf (dotted path), the policy entry that set it last. */
  public synchronized Map<String, Origin> setBy() {
    if (setBy == null) {
      setBy = new TreeMap<>();
      for (int i = 0; i < patches.size(); i++) {
        record("", patches.get(i), origins.get(i));
      }
    }
    return Collections.unmodifiableMap(setBy);
  }

  /** This conf with {@code later} merged over it (a route's own rules over its service's). */
  public Conf<C> then(Conf<C> later) {
    if (later.isEmpty()) {
      return this;
    }
    Conf<C> out = new Conf<>(type);
    for (Conf<C> part : List.of(this, later)) {
      for (int i = 0; i < part.patches.size(); i++) {
        out.merge(part.patches.get(i), part.parts.get(i), part.origins.get(i));
      }
    }
    return out;
  }

  /** The merged {@code default} as JSON (what the inspect API shows); do not modify. */
  public ObjectNode conf() {
    return json;
  }

  public List<Origin> origins() {
    return List.copyOf(origins);
  }

  public boolean isEmpty() {
    return origins.isEmpty();
  }
}
