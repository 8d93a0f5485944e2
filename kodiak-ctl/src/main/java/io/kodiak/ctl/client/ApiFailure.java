package io.kodiak.ctl.client;

import java.util.List;

/**
 * A request the control plane refused or could not answer, with what it said: the HTTP status, its
 * detail and every invalid field.
 */
public final class ApiFailure extends RuntimeException {
  private final int status;
  private final List<String> invalidParameters;

  public ApiFailure(int status, String message, List<String> invalidParameters) {
    super(message);
    this.status = status;
    this.invalidParameters = List.copyOf(invalidParameters);
  }

  public int status() {
    return status;
  }

  /** Each invalid field as {@code path: reason}. */
  public List<String> invalidParameters() {
    return invalidParameters;
  }
}
