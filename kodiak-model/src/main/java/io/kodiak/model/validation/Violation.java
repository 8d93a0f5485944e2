package io.kodiak.model.validation;

/**
 * One problem found in an input, with the JSON path of the offending field
 * ({@code spec.to[0].default.http.requestTimeout}).
 */
public record Violation(String field, String reason) {
  @Override
  public String toString() {
    return field.isEmpty() ? reason : field + ": " + reason;
  }
}
