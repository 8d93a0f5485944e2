package io.kodiak.cp.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.cp.resources.Validators;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.store.memory.InMemoryResourceStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Example resources in Kuma's Universal format (one per file, covering every type, and the ones in
 * {@code docs/examples}) are valid and survive YAML and JSON round trips unchanged.
 */
class ExamplesTest {
  private static final Path EXAMPLES = Path.of("src/test/resources/examples");
  private static final Path DOCS_EXAMPLES = Path.of("../docs/examples");
  private final ResourceManager manager =
      new ResourceManager(new InMemoryResourceStore(Clock.systemUTC()), new Validators());

  @TestFactory
  Stream<DynamicTest> examplesAreValidAndRoundTrip() throws IOException {
    return Stream.concat(files(EXAMPLES).stream(), files(DOCS_EXAMPLES).stream())
        .flatMap(
            file ->
                documents(file).stream()
                    .map(
                        doc ->
                            DynamicTest.dynamicTest(
                                file.getFileName() + " " + doc.path("name").asText(),
                                () -> roundTrip(doc))));
  }

  @Test
  void everyTypeHasAnExample() throws IOException {
    Set<ResourceType> covered = new HashSet<>();
    for (Path file : files(EXAMPLES)) {
      for (JsonNode doc : documents(file)) {
        covered.add(ResourceCatalog.byName(doc.path("type").asText()).orElseThrow());
      }
    }
    assertThat(covered).containsExactlyInAnyOrderElementsOf(ResourceCatalog.all());
  }

  private void roundTrip(JsonNode input) {
    Resource decoded = manager.validate(input);
    ObjectNode encoded = ResourceCodec.encode(decoded);
    assertContains(encoded, input, "");
    Resource fromYaml = ResourceCodec.decode(Documents.parse(Documents.toYaml(encoded)));
    Resource fromJson = ResourceCodec.decode(Documents.parse(Documents.toJson(encoded)));
    assertThat(fromYaml.spec()).isEqualTo(decoded.spec());
    assertThat(fromJson.spec()).isEqualTo(decoded.spec());
    assertThat(fromJson.meta().labels()).isEqualTo(decoded.meta().labels());
    assertThat(fromJson.key()).isEqualTo(decoded.key());
  }

  /**
   * Every field of {@code expected} is in {@code actual} with the same value (system labels may be
   * added).
   */
  private static void assertContains(JsonNode actual, JsonNode expected, String path) {
    if (expected.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = expected.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        assertThat(actual.has(f.getKey())).as(path + "." + f.getKey()).isTrue();
        assertContains(actual.get(f.getKey()), f.getValue(), path + "." + f.getKey());
      }
    } else {
      assertThat(actual).as(path).isEqualTo(expected);
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private static List<JsonNode> documents(Path file) {
    try {
      return Documents.parseAll(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
