package io.kodiak.cp.api;

import io.kodiak.model.text.Printable;
import io.kodiak.model.validation.Violation;
import java.util.List;

/**
 * A failed request, rendered in Kuma's error shape by {@link Problems}.
 *
 * @param source where the invalid parameters came from: body, query, header or path
 */
public record ApiError(
    int status, String title, String detail, List<Violation> invalid, String source) {
  /** The detail can echo what the client sent (a path, a type name); it comes back bounded. */
  public ApiError {
    detail = Printable.truncated(detail, 4 * Printable.ECHO_LIMIT);
    invalid = List.copyOf(invalid);
  }

  public static ApiError of(int status, String title, String detail) {
    return new ApiError(status, title, detail, List.of(), "body");
  }

  static ApiError invalidQuery(String field, String reason) {
    return new ApiError(
        400,
        "Bad Request",
        "Invalid query parameters",
        List.of(new Violation(field, reason)),
        "query");
  }
}
