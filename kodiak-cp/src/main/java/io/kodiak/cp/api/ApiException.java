package io.kodiak.cp.api;

/** Carries an {@link ApiError} out of a handler. */
final class ApiException extends RuntimeException {
  private final transient ApiError error;

  ApiException(ApiError error) {
    super(error.detail(), null, false, false);
    this.error = error;
  }

  ApiError error() {
    return error;
  }
}
