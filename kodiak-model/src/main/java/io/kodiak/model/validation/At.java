package io.kodiak.model.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A JSON node together with its path, so semantic validators can walk a spec and report violations
 * where they are. Absent fields are {@link MissingNode}s, so walking never fails.
 */
public record At(JsonNode node, FieldPath path) {
  public static At of(JsonNode node, FieldPath path) {
    return new At(node == null ? MissingNode.getInstance() : node, path);
  }

  public At field(String name) {
    return of(node.get(name), path.field(name));
  }

  public boolean present() {
    return !node.isMissingNode() && !node.isNull();
  }

  /** The elements of an array field (none when absent or not an array). */
  public List<At> items() {
    List<At> out = new ArrayList<>();
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        out.add(of(node.get(i), path.index(i)));
      }
    }
    return out;
  }

  public String text() {
    return node.isTextual() ? node.asText() : "";
  }

  public void require(Violations out) {
    if (!present()) {
      out.add(path, "must be defined");
    }
  }

  /** Checks a duration field; returns it when present and well-formed. */
  public Optional<Duration> duration(Violations out, DurationRule rule) {
    if (!present() || !node.isTextual()) {
      return Optional.empty(); // absence and wrong types are the schema's to report
    }
    Duration parsed;
    try {
      parsed = Durations.require(node.asText());
    } catch (IllegalArgumentException e) {
      out.add(path, e.getMessage());
      return Optional.empty();
    }
    if (parsed.isNegative()) {
      out.add(path, "must not be negative");
    } else if (parsed.isZero() && rule == DurationRule.POSITIVE) {
      out.add(path, "must be greater than zero");
    }
    return Optional.of(parsed);
  }

  /** Checks an integer-or-decimal-string percentage between 0 and 100. */
  public void percentage(Violations out) {
    if (!present()) {
      return;
    }
    Optional<Double> value = number();
    if (value.isEmpty()) {
      out.add(path, "must be a number between 0 and 100, such as 50 or \"12.5\"");
    } else if (value.get() < 0 || value.get() > 100) {
      out.add(path, "must be between 0 and 100");
    }
  }

  /** A number given either as a JSON number or as a decimal string. */
  public Optional<Double> number() {
    if (node.isNumber()) {
      return Optional.of(node.asDouble());
    }
    if (node.isTextual()) {
      try {
        return Optional.of(Double.parseDouble(node.asText()));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  public void intRange(Violations out, long min, long max) {
    if (present() && node.isIntegralNumber() && (node.asLong() < min || node.asLong() > max)) {
      out.add(path, "must be between " + min + " and " + max);
    }
  }

  /** How a duration field may be zero. */
  public enum DurationRule {
    /** Zero is allowed (it usually disables the feature). */
    NON_NEGATIVE,
    /** Zero is refused. */
    POSITIVE
  }
}
