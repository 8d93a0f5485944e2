package io.kodiak.cp.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.cp.resources.Validators;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.model.validation.Violation;
import io.kodiak.store.memory.InMemoryResourceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Data-driven validation of the core types (each policy's cases live beside it in kodiak-policy):
 * each {@code validation/NAME.input.yaml} is validated and the violations must equal {@code
 * NAME.output.yaml}. Regenerate the outputs with {@code -Dgolden.update=true} and review the diff.
 */
class ValidationCasesTest {
  private static final Path DIR = Path.of("src/test/resources/validation");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");
  private final ResourceManager manager =
      new ResourceManager(new InMemoryResourceStore(Clock.systemUTC()), new Validators());

  @TestFactory
  Stream<DynamicTest> everyCase() throws IOException {
    List<Path> inputs;
    try (Stream<Path> files = Files.list(DIR)) {
      inputs = files.filter(p -> p.toString().endsWith(".input.yaml")).sorted().toList();
    }
    assertThat(inputs).isNotEmpty();
    return inputs.stream()
        .map(input -> DynamicTest.dynamicTest(input.getFileName().toString(), () -> check(input)));
  }

  private void check(Path input) throws IOException {
    List<Violation> violations;
    try {
      manager.validate(Documents.parse(Files.readString(input)));
      violations = List.of();
    } catch (ValidationException e) {
      violations = e.violations();
    }
    String actual = Documents.toYaml(render(violations));
    Path expected = Path.of(input.toString().replace(".input.yaml", ".output.yaml"));
    if (UPDATE) {
      Files.writeString(expected, actual);
    }
    assertThat(expected).as("expected output (run with -Dgolden.update=true to create)").exists();
    assertThat(actual).isEqualTo(Files.readString(expected));
    assertThat(violations).as("every case file describes invalid input").isNotEmpty();
  }

  private static ObjectNode render(List<Violation> violations) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode list = root.putArray("violations");
    for (Violation v : violations) {
      list.addObject().put("field", v.field()).put("reason", v.reason());
    }
    return root;
  }
}
