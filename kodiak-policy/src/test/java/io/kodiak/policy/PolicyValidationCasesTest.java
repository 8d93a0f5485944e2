package io.kodiak.policy;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.kodiak.policy.testing.PolicyCases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Each policy's validation cases, in its own folder ({@code <package>/validation/NAME.input.yaml}):
 * the violations of the schema and the policy's validator, as a write through the API meets them,
 * must equal {@code NAME.output.yaml}. Regenerate with {@code -Dgolden.update=true} and review the
 * diff. Every policy has cases, and goldens.
 */
class PolicyValidationCasesTest {
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  @TestFactory
  Stream<DynamicTest> everyCase() {
    return PolicyCases.all("validation", ".input.yaml").stream()
        .map(
            input ->
                DynamicTest.dynamicTest(
                    input.getParent().getParent().getFileName() + "/" + input.getFileName(),
                    () -> check(input)));
  }

  @Test
  void everyPolicyHasValidationCasesAndGoldens() {
    for (PolicyModule<?> module : PolicyModules.all()) {
      assertThat(PolicyCases.of(module, "validation", ".input.yaml"))
          .as(module.type().name() + " validation cases")
          .isNotEmpty();
      assertThat(PolicyCases.of(module, "golden", ".yaml"))
          .as(module.type().name() + " goldens")
          .isNotEmpty();
    }
  }

  private static void check(Path input) throws IOException {
    Violations violations = new Violations();
    Resource resource = ResourceCodec.decode(Documents.parse(Files.readString(input)), violations);
    ResourceValidator validator = PolicyModules.validators().get(resource.type());
    assertThat(validator).as(input + ": a policy of a known type").isNotNull();
    validator.validate(resource, violations);
    String actual = Documents.toYaml(render(violations));
    Path expected = Path.of(input.toString().replace(".input.yaml", ".output.yaml"));
    if (UPDATE) {
      Files.writeString(expected, actual);
    }
    assertThat(expected).as("expected output (run with -Dgolden.update=true to create)").exists();
    assertThat(actual).isEqualTo(Files.readString(expected));
    assertThat(violations.list()).as("every case file describes invalid input").isNotEmpty();
  }

  private static ObjectNode render(Violations violations) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode list = root.putArray("violations");
    for (Violation v : violations.list()) {
      list.addObject().put("field", v.field()).put("reason", v.reason());
    }
    return root;
  }
}
