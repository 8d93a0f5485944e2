package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.kodiak.model.validation.Durations;
import java.io.IOException;
import java.time.Duration;

/**
 * Decodes a stored policy's conf block into its record. Policies were validated when written
 * (schema and the policy's validator), so decoding only maps names to components: Kuma's
 * durations ({@code 10s}, {@code 1m30s}, {@code 1d}) become {@link Duration}s and a field the
 * record does not have is an error, so a misspelt component is never silently "unset".
 * Thread-safe.
 */
public final class SpecMapper {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .registerModule(new SimpleModule("kuma-durations").addDeserializer(Duration.class, new KumaDuration()));

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

  private static final class KumaDuration extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      String text = parser.getValueAsString();
      try {
        return Durations.require(text);
      } catch (IllegalArgumentException e) {
        return (Duration) context.handleWeirdStringValue(Duration.class, text, e.getMessage());
      }
    }
  }
}
