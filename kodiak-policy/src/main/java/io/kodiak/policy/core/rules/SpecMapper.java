package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.Durations;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.Violations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Decodes a stored policy's conf block into its record. Policies were validated when written
 * (schema and the policy's validator), so decoding only maps names to components: Kuma's durations
 * ({@code 10s}, {@code 1m30s}, {@code 1d}) become {@link Duration}s and a field the record does not
 * have is an error, so a misspelt component is never silently "unset". Thread-safe.
 */
public final class SpecMapper {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .registerModule(
              new SimpleModule("kuma-durations")
                  .addDeserializer(Duration.class, new KumaDuration()));

  private SpecMapper() {}

  /**
   * @throws IllegalArgumentException when the block does not fit the record (it was stored before a
   *     validator change, say); the message names the field
   */
  public static <T> T decode(JsonNode block, Class<T> type) {
    try {
      return MAPPER.treeToValue(block, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }

  /**
   * For validators: decodes a {@code default} block into its record, reporting each duration that
   * is malformed or negative at its field (the value is then left null) and anything else that does
   * not fit at the block, unless a check before this one (the schema) already reported there. Empty
   * when the block is absent or does not decode.
   */
  public static <T> Optional<T> check(At block, Class<T> type, Violations out) {
    if (!block.present() || !block.node().isObject()) {
      return Optional.empty(); // absence and wrong types are the schema's to report
    }
    try {
      return Optional.of(
          MAPPER
              .readerFor(type)
              .withAttribute(Problems.class, new Problems(block.path(), out))
              .readValue(block.node()));
    } catch (JsonMappingException e) {
      FieldPath at = pathOf(block.path(), e.getPath());
      if (out.list().stream().noneMatch(v -> v.field().startsWith(at.toString()))) {
        out.add(
            at,
            "is not a field of "
                + type.getSimpleName().replace("Conf", "")
                + " or has the wrong type");
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a tree does no I/O
    }
  }

  /** Where a validator's duration problems go: the block's path and the violations. */
  private record Problems(FieldPath base, Violations out) {}

  private static FieldPath pathOf(FieldPath base, List<JsonMappingException.Reference> references) {
    FieldPath path = base;
    for (JsonMappingException.Reference reference : references) {
      path =
          reference.getFieldName() != null
              ? path.field(reference.getFieldName())
              : path.index(reference.getIndex());
    }
    return path;
  }

  /**
   * Where the parser stands below the block: each enclosing object's current field, each list's
   * index.
   */
  private static FieldPath pathOf(FieldPath base, JsonStreamContext context) {
    Deque<JsonStreamContext> chain = new ArrayDeque<>();
    for (JsonStreamContext at = context; at != null && !at.inRoot(); at = at.getParent()) {
      chain.push(at);
    }
    FieldPath path = base;
    for (JsonStreamContext at : chain) {
      path = at.inArray() ? path.index(at.getCurrentIndex()) : path.field(at.getCurrentName());
    }
    return path;
  }

  private static final class KumaDuration extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      Problems problems = (Problems) context.getAttribute(Problems.class);
      if (parser.currentToken() != JsonToken.VALUE_STRING) {
        if (problems != null) {
          return null; // the schema reports the type
        }
        return (Duration) context.handleUnexpectedToken(Duration.class, parser);
      }
      String text = parser.getText();
      try {
        Duration value = Durations.require(text);
        if (value.isNegative() && problems != null) {
          problems
              .out()
              .add(pathOf(problems.base(), parser.getParsingContext()), "must not be negative");
          return null;
        }
        return value;
      } catch (IllegalArgumentException e) {
        if (problems != null) {
          problems.out().add(pathOf(problems.base(), parser.getParsingContext()), e.getMessage());
          return null;
        }
        return (Duration) context.handleWeirdStringValue(Duration.class, text, e.getMessage());
      }
    }
  }
}
