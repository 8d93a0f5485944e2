package io.kodiak.dp.bootstrap;

import java.util.List;

/** The control plane refused the Dataplane: retrying will not help; the operator must act. */
public final class BootstrapRefusedException extends RuntimeException {
  private final int status;
  private final List<String> violations;

  public BootstrapRefusedException(int status, String detail, List<String> violations) {
    super(detail);
    this.status = status;
    this.violations = List.copyOf(violations);
  }

  public int status() {
    return status;
  }

  public List<String> violations() {
    return violations;
  }
}
