package io.kodiak.model.validation;

import io.kodiak.model.text.Printable;

/**
 * One problem found in an input, with the JSON path of the offending field ({@code
 * spec.to[0].default.http.requestTimeout}). Both parts may echo outside input, so both are cut to a
 * bounded length here, once, for every response and log line that shows them.
 */
public record Violation(String field, String reason) {
  /** Generous for the longest real path or reason; only hostile input gets near it. */
  static final int MAX_LENGTH = 4 * Printable.ECHO_LIMIT;

  public Violation {
    field = Printable.truncated(field, MAX_LENGTH);
    reason = Printable.truncated(reason, MAX_LENGTH);
  }

  @Override
  public String toString() {
    return field.isEmpty() ? reason : field + ": " + reason;
  }
}
