package io.kodiak.policy.core;

import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.Violations;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks on the values of a decoded conf (see {@code SpecMapper.check}), with the same wording as
 * the JSON checks of {@code At}: each reports at {@code at} and does nothing for an unset (null)
 * value. Stateless and thread-safe.
 */
public final class ConfChecks {
  private ConfChecks() {}

  /** A count within {@code [min, max]}. */
  public static void range(Number value, FieldPath at, long min, long max, Violations out) {
    if (value != null && (value.longValue() < min || value.longValue() > max)) {
      out.add(at, "must be between " + min + " and " + max);
    }
  }

  /** A duration that cannot be zero (decoding already refused negative ones). */
  public static void positive(Duration value, FieldPath at, Violations out) {
    if (value != null && value.isZero()) {
      out.add(at, "must be greater than zero");
    }
  }

  /** Kuma's int-or-string percentage ({@code 50}, {@code "12.5"}): a number between 0 and 100. */
  public static void percentage(String value, FieldPath at, Violations out) {
    if (value == null) {
      return;
    }
    Optional<Double> number = number(value);
    if (number.isEmpty()) {
      out.add(at, "must be a number between 0 and 100, such as 50 or \"12.5\"");
    } else if (number.get() < 0 || number.get() > 100) {
      out.add(at, "must be between 0 and 100");
    }
  }

  /** Kuma's int-or-string decimal as a number; empty when the text is not one. */
  public static Optional<Double> number(String value) {
    try {
      return Optional.of(Double.parseDouble(value));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
