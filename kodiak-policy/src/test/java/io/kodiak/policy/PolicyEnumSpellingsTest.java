package io.kodiak.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violation;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.module.PolicyModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Kuma's enum spellings, case included, for every enum of every policy: walks each policy's schema
 * in Kuma's OpenAPI contract (the copy kodiak-e2e checks the REST API against, not the schemas
 * Kodiak extracted from it) and puts each listed value, alone, where the contract allows it. A
 * write through the API (schema, then the policy's own validator) must take every listed value
 * without a word about that field (but for a {@code kind} the policy does not take in that place,
 * which is Kuma's per-policy rule, not a spelling), and must refuse the value with its letter case
 * changed, listing exactly the contract's values and naming the spelling meant. Other fields the
 * lone value leaves missing may be refused; only the enum's own field is looked at. The contract is
 * read from kodiak-e2e's test resources (the same file as {@code shared/reference}).
 */
class PolicyEnumSpellingsTest {
  private static final Path CONTRACT =
      Path.of("../kodiak-e2e/src/test/resources/contract/kuma-2.14.3-openapi.yaml");
  private static final JsonNode SCHEMAS = load();

  @TestFactory
  Stream<DynamicContainer> everyEnumOfEveryPolicyTakesExactlyKumasValues() {
    return PolicyModules.all().stream()
        .map(
            module ->
                DynamicContainer.dynamicContainer(
                    module.type().name(),
                    enums(module).stream()
                        .map(
                            e ->
                                DynamicTest.dynamicTest(
                                    e.path() + " " + e.values(), () -> check(module, e)))));
  }

  @Test
  void theContractHasEnumsForEveryPolicy() {
    int total = 0;
    for (PolicyModule<?> module : PolicyModules.all()) {
      List<EnumField> found = enums(module);
      // targetRef.kind and targetRef.proxyTypes are in every policy
      assertThat(found).as(module.type().name()).hasSizeGreaterThanOrEqualTo(2);
      total += found.size();
    }
    assertThat(PolicyModules.all()).hasSize(15);
    assertThat(total).isGreaterThan(100);
  }

  private static void check(PolicyModule<?> module, EnumField e) {
    String type = module.type().name();
    List<String> spellings = e.values().stream().map(JsonNode::asText).toList();
    String listed = "must be one of: " + String.join(", ", spellings);
    for (JsonNode value : e.values()) {
      assertThat(reasons(module, e, value))
          .as("%s %s: Kuma's %s is taken", type, e.path(), value)
          .allSatisfy(reason -> assertNarrowedKind(e, spellings, reason));
      if (!value.isTextual()) {
        continue; // a number has no letter case
      }
      String other = otherCase(value.asText());
      if (other.equals(value.asText()) || spellings.contains(other)) {
        continue; // no letters, or both spellings are Kuma's
      }
      List<String> refused = reasons(module, e, JsonNodeFactory.instance.textNode(other));
      assertThat(refused)
          .as("%s %s: %s is refused, naming Kuma's %s", type, e.path(), other, value)
          .contains(listed + "; Kuma spells it \"" + value.asText() + "\"")
          .allSatisfy(
              reason -> {
                if (!reason.startsWith(listed)) {
                  assertNarrowedKind(e, spellings, reason);
                }
              });
    }
  }

  /**
   * Which kinds a policy takes where is Kuma's rule for each policy ({@code TargetRefs}), not a
   * spelling: a listed kind may be refused there, naming kinds spelled as the contract spells them.
   */
  private static void assertNarrowedKind(EnumField e, List<String> spellings, String reason) {
    assertThat(e.path()).as(reason).endsWith(".kind");
    String prefix = "value is not supported here; use one of: ";
    assertThat(reason).startsWith(prefix);
    assertThat(List.of(reason.substring(prefix.length()).split(", ")))
        .as(reason)
        .isSubsetOf(spellings);
  }

  /** The reasons given for the enum's own field when a policy holds {@code value} there. */
  private static List<String> reasons(PolicyModule<?> module, EnumField e, JsonNode value) {
    ObjectNode document = JsonNodeFactory.instance.objectNode();
    document.put("type", module.type().name()).put("mesh", "default").put("name", "enum-case");
    JsonNode container = document;
    List<String> segments = e.segments();
    StringBuilder field = new StringBuilder();
    for (int i = 0; i < segments.size(); i++) {
      String segment = segments.get(i);
      boolean last = i == segments.size() - 1;
      if (segment.equals("[]")) {
        ArrayNode array = (ArrayNode) container;
        field.append("[0]");
        if (last) {
          array.add(value);
        } else {
          container = next(segments.get(i + 1)) ? array.addArray() : array.addObject();
        }
      } else {
        ObjectNode object = (ObjectNode) container;
        field.append(field.length() == 0 ? "" : ".").append(segment);
        if (last) {
          object.set(segment, value);
        } else {
          container =
              next(segments.get(i + 1)) ? object.putArray(segment) : object.putObject(segment);
        }
      }
    }
    Violations violations = new Violations();
    Resource resource = ResourceCodec.decode(document, violations);
    ResourceValidator validator = PolicyModules.validators().get(resource.type());
    validator.validate(resource, violations);
    String path = field.toString();
    List<String> reasons = new ArrayList<>();
    for (Violation v : violations.list()) {
      if (v.field().equals(path)) {
        reasons.add(v.reason());
      }
    }
    return reasons;
  }

  private static boolean next(String segment) {
    return segment.equals("[]");
  }

  private static String otherCase(String value) {
    String lower = value.toLowerCase(Locale.ROOT);
    return lower.equals(value) ? value.toUpperCase(Locale.ROOT) : lower;
  }

  /** One enum of a policy's schema: where it is ({@code [spec, to, [], default, mode]}). */
  private record EnumField(List<String> segments, List<JsonNode> values) {
    String path() {
      return String.join(".", segments).replace(".[]", "[]");
    }
  }

  /** Every enum of the policy's schema but the resource's own {@code type}. */
  private static List<EnumField> enums(PolicyModule<?> module) {
    Map<String, EnumField> found = new LinkedHashMap<>();
    JsonNode spec = SCHEMAS.get(module.type().name() + "Item").path("properties").path("spec");
    assertThat(spec.isMissingNode()).as(module.type().name() + " has a spec schema").isFalse();
    walk(spec, List.of("spec"), found, 0);
    return List.copyOf(found.values());
  }

  private static void walk(
      JsonNode schema, List<String> at, Map<String, EnumField> found, int refs) {
    if (schema.has("$ref")) {
      if (refs < 8) {
        String name = schema.get("$ref").asText().replace("#/components/schemas/", "");
        walk(SCHEMAS.get(name), at, found, refs + 1);
      }
      return;
    }
    if (schema.has("enum")) {
      List<JsonNode> values = new ArrayList<>();
      schema.get("enum").forEach(values::add);
      EnumField e = new EnumField(at, values);
      found.putIfAbsent(e.path(), e);
    }
    schema
        .path("properties")
        .fields()
        .forEachRemaining(p -> walk(p.getValue(), plus(at, p.getKey()), found, refs));
    if (schema.has("items")) {
      walk(schema.get("items"), plus(at, "[]"), found, refs);
    }
    if (schema.path("additionalProperties").isObject()) {
      walk(schema.get("additionalProperties"), plus(at, "key"), found, refs);
    }
    for (String alternatives : List.of("oneOf", "anyOf", "allOf")) {
      schema.path(alternatives).forEach(s -> walk(s, at, found, refs));
    }
  }

  private static List<String> plus(List<String> at, String segment) {
    List<String> out = new ArrayList<>(at);
    out.add(segment);
    return out;
  }

  private static JsonNode load() {
    try {
      return Documents.parse(Files.readString(CONTRACT)).path("components").path("schemas");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
