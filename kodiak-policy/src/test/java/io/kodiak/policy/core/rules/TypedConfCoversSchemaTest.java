package io.kodiak.policy.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.policy.PolicyModules;
import io.kodiak.policy.core.module.PolicyModule;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every field the contract's schema accepts in a typed policy's {@code default} block decodes into
 * its record: a field the record lacked would make a valid stored policy undecodable, and so
 * ignored. For each typed module and each section ({@code default}, {@code to}, {@code from},
 * {@code rules}), a block with every property the schema names (nested objects and list items too)
 * is decoded twice: int-or-string values as numbers, then as strings.
 */
class TypedConfCoversSchemaTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final JsonNode SCHEMAS = load();

  static Stream<Arguments> blocks() {
    List<Arguments> out = new ArrayList<>();
    for (PolicyModule<?> module : PolicyModules.all()) {
      if (module.policies().conf().recordType().isEmpty()) {
        continue;
      }
      JsonNode spec =
          SCHEMAS
              .path(module.type().name() + "Item")
              .path("properties")
              .path("spec")
              .path("properties");
      for (String section : List.of("default", "to", "from", "rules")) {
        JsonNode block =
            section.equals("default")
                ? spec.path("default")
                : spec.path(section).path("items").path("properties").path("default");
        if (!block.isMissingNode()) {
          out.add(
              Arguments.of(
                  module.type().name() + " " + section,
                  block,
                  module.policies().conf().recordType().get()));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("blocks")
  void everyFieldTheSchemaAcceptsDecodes(String name, JsonNode schema, Class<?> record) {
    for (boolean last : new boolean[] {false, true}) {
      JsonNode block = sample(schema, last);
      assertThat(block.size()).as(name + ": the schema names fields").isPositive();
      assertThatCode(() -> SpecMapper.decode(block, record))
          .as(name + ": " + block)
          .doesNotThrowAnyException();
    }
  }

  /**
   * A value the schema accepts with every property it names; {@code last} picks the last of
   * alternatives.
   */
  private static JsonNode sample(JsonNode schema, boolean last) {
    if (schema.has("$ref")) {
      return sample(
          SCHEMAS.path(schema.get("$ref").asText().replace("#/components/schemas/", "")), last);
    }
    if (schema.has("enum")) {
      return schema.get("enum").get(last ? schema.get("enum").size() - 1 : 0);
    }
    JsonNode alternatives = schema.has("anyOf") ? schema.get("anyOf") : schema.get("oneOf");
    if (alternatives != null && !schema.has("properties")) {
      return sample(alternatives.get(last ? alternatives.size() - 1 : 0), last);
    }
    switch (schema.path("type").asText("object")) {
      case "array" -> {
        ArrayNode out = JSON.arrayNode();
        out.add(sample(schema.path("items"), last));
        return out;
      }
      case "string" -> {
        return JSON.textNode("1s"); // a duration where the record wants one; any text elsewhere
      }
      case "integer", "number" -> {
        return JSON.numberNode(1);
      }
      case "boolean" -> {
        return JSON.booleanNode(true);
      }
      default -> {
        ObjectNode out = JSON.objectNode();
        schema
            .path("properties")
            .fields()
            .forEachRemaining(f -> out.set(f.getKey(), sample(f.getValue(), last)));
        if (schema.path("additionalProperties").isObject()) {
          out.set("key", sample(schema.get("additionalProperties"), last));
        }
        return out;
      }
    }
  }

  private static JsonNode load() {
    try (InputStream in =
        TypedConfCoversSchemaTest.class.getResourceAsStream(
            "/io/kodiak/model/schema/resource-schemas.json")) {
      return new ObjectMapper().readTree(in).path("schemas");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
