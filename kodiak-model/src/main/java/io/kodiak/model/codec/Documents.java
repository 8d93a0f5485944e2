package io.kodiak.model.codec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kodiak.model.validation.ValidationException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parsing and printing of JSON and YAML documents, with errors that say where the input broke.
 * Duplicate keys are refused. Thread-safe.
 */
public final class Documents {
  public static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  public static final ObjectMapper YAML =
      YAMLMapper.builder(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                  .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                  .disable(YAMLGenerator.Feature.SPLIT_LINES)
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();
  private static final ObjectMapper PRETTY_JSON =
      JSON.copy().enable(SerializationFeature.INDENT_OUTPUT);

  private Documents() {}

  /** Parses exactly one JSON or YAML document. */
  public static JsonNode parse(String text) {
    List<JsonNode> documents = parseAll(text);
    if (documents.size() != 1) {
      throw ValidationException.of("", "expected exactly one document, found " + documents.size());
    }
    return documents.get(0);
  }

  /**
   * Parses a JSON document or a YAML stream of documents separated by {@code ---}; skips empty
   * ones.
   */
  public static List<JsonNode> parseAll(String text) {
    String trimmed = text.stripLeading();
    boolean json = trimmed.startsWith("{") || trimmed.startsWith("[");
    try {
      if (json) {
        return List.of(JSON.readTree(text));
      }
      List<JsonNode> out = new ArrayList<>();
      try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
        while (it.hasNextValue()) {
          JsonNode node = it.nextValue();
          if (node != null && !node.isNull() && !node.isMissingNode()) {
            out.add(node);
          }
        }
      }
      return out;
    } catch (JsonProcessingException e) {
      throw ValidationException.of(
          "",
          (json ? "invalid JSON" : "invalid YAML")
              + where(e.getLocation())
              + ": "
              + e.getOriginalMessage().lines().findFirst().orElse("parse error"));
    } catch (IOException e) {
      throw ValidationException.of("", "could not read the document: " + e.getMessage());
    } catch (RuntimeException e) {
      // SnakeYAML reports some malformed input as unchecked exceptions
      throw ValidationException.of(
          "", "invalid YAML: " + e.getMessage().lines().findFirst().orElse("parse error"));
    }
  }

  public static String toJson(JsonNode node) {
    try {
      return PRETTY_JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String toYaml(JsonNode node) {
    try {
      return YAML.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String where(JsonLocation location) {
    return location == null || location.getLineNr() < 0
        ? ""
        : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }
}
