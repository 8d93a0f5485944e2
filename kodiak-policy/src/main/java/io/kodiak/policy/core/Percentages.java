package io.kodiak.policy.core;

import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.Violations;

/**
 * Checks Kuma's int-or-string percentages ({@code 50}, {@code "12.5"}) as typed confs hold them:
 * as their text. Stateless and thread-safe.
 */
public final class Percentages {
  private Percentages() {}

  /** Reports a percentage that is not a number or not between 0 and 100; an unset one (null) is fine. */
  public static void check(String value, FieldPath path, Violations out) {
    if (value == null) {
      return;
    }
    double number;
    try {
      number = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      out.add(path, "must be a number between 0 and 100, such as 50 or \"12.5\"");
      return;
    }
    if (number < 0 || number > 100) {
      out.add(path, "must be between 0 and 100");
    }
  }
}
