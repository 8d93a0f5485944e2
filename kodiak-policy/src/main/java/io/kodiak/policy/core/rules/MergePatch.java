package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Combines policy {@code default} blocks: RFC 7396 JSON merge patch (objects merge key by key,
 * anything else — lists included — is replaced, null removes), except that lists under a key
 * starting with {@code append} are concatenated, which is how Kuma lets several policies each add
 * modifications or headers.
 */
public final class MergePatch {
  private MergePatch() {}

  /** Merges {@code patch} into {@code target} in place. */
  public static void apply(ObjectNode target, JsonNode patch) {
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = field.getKey();
      JsonNode value = field.getValue();
      JsonNode existing = target.get(key);
      if (value.isNull()) {
        target.remove(key);
      } else if (value.isObject() && existing != null && existing.isObject()) {
        apply((ObjectNode) existing, value);
      } else if (value.isArray()
          && key.startsWith("append")
          && existing != null
          && existing.isArray()) {
        ((ArrayNode) existing).addAll((ArrayNode) value.deepCopy());
      } else {
        target.set(key, value.deepCopy());
      }
    }
  }
}
