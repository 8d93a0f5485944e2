package io.kodiak.model.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Turns a schema of the Kuma contract into a Kubernetes structural schema, the form a
 * CustomResourceDefinition requires: references inlined, a type on every node, no alternatives
 * ({@code oneOf}/{@code anyOf}, which the API server only allows as pure value checks), and objects
 * without declared fields kept whole rather than pruned. The result describes the shape (so kubectl
 * explains it and the API server keeps only known fields); the rules it drops (patterns,
 * alternatives, lengths) are checked by Kodiak's own validators in the admission webhook, which say
 * what is wrong and where. Stateless.
 */
final class StructuralSchema {
  private static final String REF_PREFIX = "#/components/schemas/";
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Set<String> KEPT_AS_IS =
      Set.of("type", "enum", "nullable", "minimum", "maximum", "minItems", "maxItems");

  /** Formats the API server knows; others (the contract's uint32) would only draw warnings. */
  private static final Set<String> KUBERNETES_FORMATS =
      Set.of("int32", "int64", "float", "double", "byte", "date-time", "date");

  private static final Set<String> INT_OR_STRING = Set.of("integer", "string");

  private final JsonNode schemas;

  StructuralSchema(JsonNode schemas) {
    this.schemas = schemas;
  }

  /** The structural form of {@code schema}. */
  ObjectNode of(JsonNode schema) {
    return convert(schema, new HashSet<>());
  }

  private ObjectNode convert(JsonNode schema, Set<String> resolving) {
    if (schema.has("$ref")) {
      String name = schema.get("$ref").asText().substring(REF_PREFIX.length());
      if (!resolving.add(name)) {
        return preserved(); // a recursive type: kept whole below this point
      }
      ObjectNode out = convert(schemas.get(name), resolving);
      resolving.remove(name);
      return out;
    }
    if (schema.path("x-kubernetes-int-or-string").asBoolean() || isIntOrString(schema)) {
      ObjectNode out = JSON.objectNode();
      out.put("x-kubernetes-int-or-string", true);
      return out;
    }
    ObjectNode out = JSON.objectNode();
    for (String key : KEPT_AS_IS) {
      if (schema.has(key)) {
        out.set(key, schema.get(key).deepCopy());
      }
    }
    if (KUBERNETES_FORMATS.contains(schema.path("format").asText())) {
      out.set("format", schema.get("format").deepCopy());
    }
    copyListMarkers(schema, out);
    JsonNode properties = mergedProperties(schema);
    if (properties.size() > 0) {
      ObjectNode converted = out.putObject("properties");
      for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        converted.set(field.getKey(), convert(field.getValue(), resolving));
      }
      out.put("type", "object");
      if (schema.has("required")) {
        out.set("required", schema.get("required").deepCopy());
      }
    } else if (schema.has("additionalProperties")
        && schema.get("additionalProperties").isObject()) {
      out.put("type", "object");
      out.set("additionalProperties", convert(schema.get("additionalProperties"), resolving));
    } else if (schema.has("items") || out.path("type").asText().equals("array")) {
      out.put("type", "array");
      out.set("items", schema.has("items") ? convert(schema.get("items"), resolving) : anyValue());
    } else if (!out.has("type")) {
      return anyValue(); // alternatives of different shapes: Kodiak's validators check them
    } else if (out.get("type").asText().equals("object")) {
      return preserved(); // a free-form object: kept whole
    }
    return out;
  }

  /** Fields declared on the node and in each of its alternatives (a oneOf of field groups). */
  private JsonNode mergedProperties(JsonNode schema) {
    ObjectNode all = JSON.objectNode();
    if (schema.has("properties")) {
      all.setAll((ObjectNode) schema.get("properties"));
    }
    for (String junctor : new String[] {"oneOf", "anyOf", "allOf"}) {
      for (JsonNode alternative : schema.path(junctor)) {
        JsonNode resolved = alternative.has("$ref") ? resolve(alternative) : alternative;
        if (resolved.has("properties")) {
          resolved
              .get("properties")
              .fields()
              .forEachRemaining(f -> all.putIfAbsent(f.getKey(), f.getValue()));
        }
      }
    }
    return all;
  }

  private boolean isIntOrString(JsonNode schema) {
    Set<String> types = new HashSet<>();
    for (String junctor : new String[] {"oneOf", "anyOf"}) {
      for (JsonNode alternative : schema.path(junctor)) {
        types.add(alternative.path("type").asText(""));
      }
    }
    return types.equals(INT_OR_STRING);
  }

  private JsonNode resolve(JsonNode ref) {
    return schemas.get(ref.get("$ref").asText().substring(REF_PREFIX.length()));
  }

  private static void copyListMarkers(JsonNode schema, ObjectNode out) {
    for (String key : new String[] {"x-kubernetes-list-type", "x-kubernetes-list-map-keys"}) {
      if (schema.has(key)) {
        out.set(key, schema.get(key).deepCopy());
      }
    }
  }

  private static ObjectNode anyValue() {
    ObjectNode out = JSON.objectNode();
    out.put("x-kubernetes-preserve-unknown-fields", true);
    return out;
  }

  private static ObjectNode preserved() {
    ObjectNode out = JSON.objectNode();
    out.put("type", "object");
    out.put("x-kubernetes-preserve-unknown-fields", true);
    return out;
  }
}
