package io.kodiak.model.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks a resource document against the structural schema of its type, taken from the Kuma OpenAPI
 * contract (see {@code tools/extract-schemas.py}). Objects with declared properties are closed: an
 * unknown field is a violation, as in Kuma. Semantic rules (durations, targetRef kinds) are the
 * per-type validators' job. Thread-safe.
 */
public final class SchemaValidator {
  private static final String RESOURCE = "/io/kodiak/model/schema/resource-schemas.json";
  private static final String REF_PREFIX = "#/components/schemas/";
  private static final SchemaValidator INSTANCE = new SchemaValidator(load());

  private final JsonNode schemas;
  private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

  private SchemaValidator(JsonNode schemas) {
    this.schemas = schemas;
  }

  public static SchemaValidator instance() {
    return INSTANCE;
  }

  /** A copy of the contract's schemas, by name ({@code MeshTimeoutItem}); for the CRDs. */
  public JsonNode schemas() {
    return schemas.deepCopy();
  }

  /**
   * Validates {@code document} (a whole resource in wire format) against {@code <typeName>Item}.
   */
  public void validate(String typeName, ObjectNode document, Violations violations) {
    JsonNode schema = schemas.get(typeName + "Item");
    if (schema == null) {
      throw new IllegalArgumentException("no schema for " + typeName);
    }
    check(schema, document, FieldPath.root(), violations);
  }

  private void check(JsonNode schema, JsonNode value, FieldPath path, Violations out) {
    if (schema.has("$ref")) {
      check(resolve(schema.get("$ref").asText()), value, path, out);
      return;
    }
    if (!checkType(schema, value, path, out)) {
      return;
    }
    checkAlternatives(schema, value, path, out);
    checkEnum(schema, value, path, out);
    if (value.isObject()) {
      checkObject(schema, (ObjectNode) value, path, out);
    } else if (value.isArray()) {
      checkArray(schema, value, path, out);
    } else if (value.isTextual()) {
      checkString(schema, value.asText(), path, out);
    } else if (value.isNumber()) {
      checkNumber(schema, value, path, out);
    }
  }

  private boolean checkType(JsonNode schema, JsonNode value, FieldPath path, Violations out) {
    JsonNode type = schema.get("type");
    if (type == null) {
      return true;
    }
    String expected = type.asText();
    boolean ok =
        switch (expected) {
          case "object" -> value.isObject();
          case "array" -> value.isArray();
          case "string" -> value.isTextual();
          case "integer" -> value.isIntegralNumber();
          case "number" -> value.isNumber();
          case "boolean" -> value.isBoolean();
          default -> true;
        };
    if (!ok) {
      out.add(path, "must be " + article(expected) + ", not " + describe(value));
    }
    return ok;
  }

  private void checkAlternatives(JsonNode schema, JsonNode value, FieldPath path, Violations out) {
    JsonNode alternatives = schema.has("oneOf") ? schema.get("oneOf") : schema.get("anyOf");
    if (alternatives == null) {
      return;
    }
    List<Violation> firstFailure = null;
    for (JsonNode alternative : alternatives) {
      Violations attempt = new Violations();
      check(alternative, value, path, attempt);
      if (attempt.isEmpty()) {
        return;
      }
      if (firstFailure == null) {
        firstFailure = attempt.list();
      }
    }
    if (alternatives.size() == 1) {
      out.addAll(firstFailure);
    } else {
      out.add(path, "does not match any of the allowed forms");
    }
  }

  private void checkEnum(JsonNode schema, JsonNode value, FieldPath path, Violations out) {
    JsonNode allowed = schema.get("enum");
    if (allowed == null) {
      return;
    }
    List<String> names = new ArrayList<>();
    for (JsonNode option : allowed) {
      if (option.equals(value)) {
        return;
      }
      names.add(option.asText());
    }
    out.add(
        path,
        "must be one of: "
            + String.join(", ", names)
            + (value.isTextual() ? Spellings.hint(value.asText(), names) : ""));
  }

  private void checkObject(JsonNode schema, ObjectNode value, FieldPath path, Violations out) {
    JsonNode properties = schema.get("properties");
    JsonNode additional = schema.get("additionalProperties");
    boolean open =
        schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
            || properties == null && additional == null
            || additional != null && additional.isBoolean() && additional.asBoolean();
    for (JsonNode required : schema.path("required")) {
      String field = required.asText();
      if (!value.has(field) || value.get(field).isNull()) {
        out.add(path.field(field), "must be defined");
      }
    }
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode fieldSchema = properties == null ? null : properties.get(field.getKey());
      if (fieldSchema != null) {
        if (!field.getValue().isNull()) {
          check(fieldSchema, field.getValue(), path.field(field.getKey()), out);
        }
      } else if (additional != null && additional.isObject()) {
        check(additional, field.getValue(), path.key(field.getKey()), out);
      } else if (!open) {
        out.add(path.field(field.getKey()), "unknown field");
      }
    }
  }

  private void checkArray(JsonNode schema, JsonNode value, FieldPath path, Violations out) {
    int size = value.size();
    if (schema.has("minItems") && size < schema.get("minItems").asInt()) {
      out.add(path, "must have at least " + schema.get("minItems").asInt() + " item(s)");
    }
    if (schema.has("maxItems") && size > schema.get("maxItems").asInt()) {
      out.add(path, "must have at most " + schema.get("maxItems").asInt() + " item(s)");
    }
    JsonNode items = schema.get("items");
    if (items != null) {
      for (int i = 0; i < size; i++) {
        check(items, value.get(i), path.index(i), out);
      }
    }
  }

  private void checkString(JsonNode schema, String text, FieldPath path, Violations out) {
    if (schema.has("minLength") && text.length() < schema.get("minLength").asInt()) {
      out.add(path, "must be at least " + schema.get("minLength").asInt() + " character(s) long");
    }
    if (schema.has("maxLength") && text.length() > schema.get("maxLength").asInt()) {
      out.add(path, "must be at most " + schema.get("maxLength").asInt() + " characters long");
    }
    if (schema.has("pattern")) {
      String regex = schema.get("pattern").asText();
      if (!patterns.computeIfAbsent(regex, Pattern::compile).matcher(text).find()) {
        out.add(path, "must match the pattern " + regex);
      }
    }
    if ("byte".equals(schema.path("format").asText()) && !isBase64(text)) {
      out.add(path, "must be base64-encoded");
    }
  }

  private void checkNumber(JsonNode schema, JsonNode value, FieldPath path, Violations out) {
    double number = value.asDouble();
    if (schema.has("minimum") && number < schema.get("minimum").asDouble()) {
      out.add(path, "must be greater than or equal to " + schema.get("minimum").asText());
    }
    if (schema.has("maximum") && number > schema.get("maximum").asDouble()) {
      out.add(path, "must be less than or equal to " + schema.get("maximum").asText());
    }
    String format = schema.path("format").asText();
    if ("int32".equals(format) && (number < Integer.MIN_VALUE || number > Integer.MAX_VALUE)) {
      out.add(path, "must fit in a 32-bit signed integer");
    } else if ("uint32".equals(format) && (number < 0 || number > 4294967295.0)) {
      out.add(path, "must be between 0 and 4294967295");
    }
  }

  private JsonNode resolve(String ref) {
    JsonNode target =
        ref.startsWith(REF_PREFIX) ? schemas.get(ref.substring(REF_PREFIX.length())) : null;
    if (target == null) {
      throw new IllegalStateException("unresolvable schema reference " + ref);
    }
    return target;
  }

  private static boolean isBase64(String text) {
    try {
      Base64.getDecoder().decode(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String article(String type) {
    return switch (type) {
      case "object", "array", "integer" -> "an " + type;
      default -> "a " + type;
    };
  }

  static String describe(JsonNode value) {
    if (value.isObject()) {
      return "an object";
    } else if (value.isArray()) {
      return "an array";
    } else if (value.isTextual()) {
      return "a string";
    } else if (value.isIntegralNumber()) {
      return "an integer";
    } else if (value.isNumber()) {
      return "a number";
    } else if (value.isBoolean()) {
      return "a boolean";
    }
    return "null";
  }

  private static JsonNode load() {
    try (InputStream in = SchemaValidator.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing " + RESOURCE);
      }
      return new ObjectMapper().readTree(in).get("schemas");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
