package io.kodiak.policy.core;

import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.Violations;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks user regular expressions: they compile and stay small, as Envoy's RE2 program limit
 * demands.
 */
public final class Regexes {
  /** Longest regex accepted; longer ones risk Envoy's program-size limit and a NACK. */
  public static final int MAX_LENGTH = 1024;

  private Regexes() {}

  public static void check(At regex, Violations out) {
    if (regex.present() && regex.node().isTextual()) {
      check(regex.text(), regex.path(), out);
    }
  }

  /** Checks a decoded regular expression; null (not set) is fine. */
  public static void check(String text, FieldPath path, Violations out) {
    if (text == null) {
      return;
    }
    if (text.length() > MAX_LENGTH) {
      out.add(path, "must be at most " + MAX_LENGTH + " characters long");
      return;
    }
    if (text.contains("(?=")
        || text.contains("(?!")
        || text.contains("(?<=")
        || text.contains("(?<!")
        || text.matches(".*\\\\[1-9].*")) {
      out.add(path, "lookaround and backreferences are not supported (Envoy uses RE2)");
      return;
    }
    try {
      Pattern.compile(text);
    } catch (PatternSyntaxException e) {
      out.add(path, "invalid regular expression: " + e.getDescription());
    }
  }
}
