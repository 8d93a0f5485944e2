package io.kodiak.policy.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.policy.PolicyModules;
import io.kodiak.policy.core.module.PolicyModule;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each typed policy's conf record has exactly the fields of Kuma's contract (the schema the model
 * validates with): a {@code default} block setting every field the schema has, in every section,
 * decodes (a field the record lacked would make a stored policy undecodable, and so ignored), and
 * merged over each other the blocks leave no component unset (a component the schema lacks would
 * never be set).
 */
class ConfRecordsMatchContractTest {
  private static final String SCHEMAS = "/io/kodiak/model/schema/resource-schemas.json";
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  static Stream<String> typedModules() {
    return PolicyModules.all().stream()
        .filter(m -> m.policies().conf().recordType().isPresent())
        .map(m -> m.type().name());
  }

  @ParameterizedTest
  @MethodSource("typedModules")
  void everyContractFieldDecodesAndEveryComponentIsInTheContract(String type) throws IOException {
    PolicyModule<?> module =
        PolicyModules.all().stream()
            .filter(m -> m.type().name().equals(type))
            .findFirst()
            .orElseThrow();
    Class<?> record = module.policies().conf().recordType().orElseThrow();
    JsonNode spec =
        schemas()
            .path(module.type().name() + "Item")
            .path("properties")
            .path("spec")
            .path("properties");
    List<JsonNode> blocks = new ArrayList<>();
    for (String section : List.of("to", "from", "rules")) {
      JsonNode block = spec.path(section).path("items").path("properties").path("default");
      if (!block.isMissingNode()) {
        blocks.add(everyField(block));
      }
    }
    if (spec.has("default")) {
      blocks.add(everyField(spec.path("default")));
    }
    assertThat(blocks).as(module.type().name() + " has default blocks").isNotEmpty();
    Record merged = RecordMerge.empty(record.asSubclass(Record.class));
    for (JsonNode block : blocks) {
      assertThatCode(() -> SpecMapper.decode(block, record))
          .as(module.type().name() + ": " + block)
          .doesNotThrowAnyException();
      merged = RecordMerge.merge(merged, (Record) SpecMapper.decode(block, record));
    }
    assertThat(unset(merged, record.getSimpleName()))
        .as(module.type().name() + ": components no field sets")
        .isEmpty();
  }

  /**
   * A value for {@code schema} with every field set: enums take their first value, strings {@code
   * 1s}.
   */
  private static JsonNode everyField(JsonNode schema) {
    if (schema.has("enum")) {
      return schema.path("enum").get(0);
    }
    if (schema.has("anyOf") || schema.has("oneOf")) {
      return JSON.textNode("1"); // the contract's only alternatives: Kuma's int-or-string
    }
    switch (schema.path("type").asText(schema.has("properties") ? "object" : "")) {
      case "object" -> {
        ObjectNode out = JSON.objectNode();
        if (schema.has("properties")) {
          schema
              .path("properties")
              .fields()
              .forEachRemaining(f -> out.set(f.getKey(), everyField(f.getValue())));
        } else if (schema.path("additionalProperties").isObject()) {
          out.set("key", everyField(schema.path("additionalProperties")));
        } else {
          out.putObject("anything").put("at", "all"); // an open object
        }
        return out;
      }
      case "array" -> {
        return JSON.arrayNode().add(everyField(schema.path("items")));
      }
      case "integer" -> {
        return JSON.numberNode(1);
      }
      case "number" -> {
        return JSON.numberNode(1.5);
      }
      case "boolean" -> {
        return JSON.booleanNode(true);
      }
      default -> {
        return JSON.textNode("1s"); // a string: also a duration
      }
    }
  }

  /**
   * The paths of null components in {@code value}, its nested records, and their lists' and maps'
   * elements.
   */
  private static List<String> unset(Object value, String path) {
    List<String> out = new ArrayList<>();
    if (value instanceof Record) {
      for (RecordComponent component : value.getClass().getRecordComponents()) {
        Object field = read(component, value);
        String at = path + "." + component.getName();
        if (field == null) {
          out.add(at);
        } else {
          out.addAll(unset(field, at));
        }
      }
    } else if (value instanceof List<?> list) {
      list.forEach(element -> out.addAll(unset(element, path + "[]")));
    } else if (value instanceof Map<?, ?> map) {
      map.values().forEach(element -> out.addAll(unset(element, path + "{}")));
    }
    return out;
  }

  private static Object read(RecordComponent component, Object record) {
    Method accessor = component.getAccessor();
    accessor.setAccessible(true); // the conf records are package-private
    try {
      return accessor.invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + component, e);
    }
  }

  private static JsonNode schemas() throws IOException {
    try (InputStream in = ConfRecordsMatchContractTest.class.getResourceAsStream(SCHEMAS)) {
      return new ObjectMapper().readTree(in).path("schemas");
    }
  }
}
