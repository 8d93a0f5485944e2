package io.kodiak.ctl.commands;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads resources for {@code apply}: a file, every YAML/JSON file of a directory, or stdin. */
final class InputDocuments {
  private static final ObjectMapper YAML =
      YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private InputDocuments() {}

  /** One document and where it came from, for error messages. */
  record Document(JsonNode node, String source, int index) {
    String where() {
      return "document " + index + " in " + source;
    }
  }

  static List<Document> read(String location, Map<String, String> variables) {
    List<Document> out = new ArrayList<>();
    if (location.equals("-")) {
      try {
        parse(
            new String(System.in.readAllBytes(), StandardCharsets.UTF_8), "stdin", variables, out);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read stdin: " + e.getMessage());
      }
      return out;
    }
    Path path = Path.of(location);
    if (Files.isDirectory(path)) {
      try (Stream<Path> files = Files.list(path)) {
        for (Path file : files.filter(InputDocuments::isResourceFile).sorted().toList()) {
          parse(readFile(file), file.toString(), variables, out);
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot list " + path + ": " + e.getMessage());
      }
    } else {
      parse(readFile(path), path.toString(), variables, out);
    }
    return out;
  }

  private static boolean isResourceFile(Path file) {
    String name = file.getFileName().toString();
    return Files.isRegularFile(file)
        && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
  }

  private static String readFile(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static void parse(
      String text, String source, Map<String, String> variables, List<Document> out) {
    String resolved = Variables.substitute(text, variables, source);
    int index = 0;
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(resolved)) {
      while (it.hasNextValue()) {
        index++;
        JsonNode node = it.nextValue();
        if (node == null || node.isNull() || node.isMissingNode()) {
          continue;
        }
        if (!node.isObject()) {
          throw new IllegalArgumentException(
              "document " + index + " in " + source + " is not a resource (an object)");
        }
        out.add(new Document(node, source, index));
      }
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw new IllegalArgumentException(
          "document "
              + (index + 1)
              + " in "
              + source
              + " does not parse"
              + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
              + ": "
              + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot parse " + source + ": " + e.getMessage());
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw e;
      }
      throw new IllegalArgumentException(
          "document "
              + (index + 1)
              + " in "
              + source
              + " does not parse: "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }
}
