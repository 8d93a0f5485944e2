package io.kodiak.model.validation;

import java.util.List;

/** Thrown when an input has one or more violations; carries all of them. */
public final class ValidationException extends RuntimeException {
  private final List<Violation> violations;

  public ValidationException(List<Violation> violations) {
    super(summary(violations));
    this.violations = List.copyOf(violations);
  }

  public static ValidationException of(String field, String reason) {
    return new ValidationException(List.of(new Violation(field, reason)));
  }

  public List<Violation> violations() {
    return violations;
  }

  private static String summary(List<Violation> violations) {
    StringBuilder text = new StringBuilder();
    for (Violation violation : violations) {
      text.append(text.length() == 0 ? "" : "; ").append(violation);
    }
    return text.toString();
  }
}
