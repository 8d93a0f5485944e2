package io.kodiak.policy.meshproxypatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** RFC 6902 JSON Patch (add, remove, replace, move, copy, test) over Jackson trees. */
final class JsonPatch {
  private JsonPatch() {}

  /** Applies the operations to a copy of {@code doc} and returns it; a failing operation throws. */
  static JsonNode apply(JsonNode doc, JsonNode operations) {
    JsonNode root = doc.deepCopy();
    for (JsonNode op : operations) {
      String path = op.path("path").asText();
      switch (op.path("op").asText()) {
        case "add" -> root = add(root, path, op.path("value").deepCopy());
        case "remove" -> remove(root, path);
        case "replace" -> {
          remove(root, path);
          root = add(root, path, op.path("value").deepCopy());
        }
        case "move" -> {
          JsonNode value = get(root, op.path("from").asText());
          remove(root, op.path("from").asText());
          root = add(root, path, value);
        }
        case "copy" -> root = add(root, path, get(root, op.path("from").asText()).deepCopy());
        case "test" -> {
          if (!get(root, path).equals(op.path("value"))) {
            throw new IllegalArgumentException("test failed at " + path);
          }
        }
        default -> throw new IllegalArgumentException("unknown op " + op.path("op").asText());
      }
    }
    return root;
  }

  private static JsonNode get(JsonNode root, String path) {
    JsonNode node = root.at(path);
    if (node.isMissingNode()) {
      throw new IllegalArgumentException("nothing at " + path);
    }
    return node;
  }

  private static JsonNode add(JsonNode root, String path, JsonNode value) {
    if (path.isEmpty()) {
      return value;
    }
    JsonNode parent = get(root, parentOf(path));
    String key = lastOf(path);
    if (parent instanceof ObjectNode object) {
      object.set(key, value);
    } else if (parent instanceof ArrayNode array) {
      if (key.equals("-")) {
        array.add(value);
      } else {
        array.insert(index(array, key, true), value);
      }
    } else {
      throw new IllegalArgumentException("cannot add under a value at " + parentOf(path));
    }
    return root;
  }

  private static void remove(JsonNode root, String path) {
    JsonNode parent = get(root, parentOf(path));
    String key = lastOf(path);
    if (parent instanceof ObjectNode object && object.has(key)) {
      object.remove(key);
    } else if (parent instanceof ArrayNode array) {
      array.remove(index(array, key, false));
    } else {
      throw new IllegalArgumentException("nothing at " + path);
    }
  }

  private static int index(ArrayNode array, String key, boolean forInsert) {
    int i;
    try {
      i = Integer.parseInt(key);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an array index: " + key);
    }
    if (i < 0 || i > array.size() || (!forInsert && i == array.size())) {
      throw new IllegalArgumentException("array index out of range: " + key);
    }
    return i;
  }

  private static String parentOf(String path) {
    return path.substring(0, path.lastIndexOf('/'));
  }

  private static String lastOf(String path) {
    return path.substring(path.lastIndexOf('/') + 1).replace("~1", "/").replace("~0", "~");
  }
}
