package io.kodiak.e2e.support;

/**
 * What every end-to-end test leaves true of each control plane it started, as Kuma's own suite
 * checks: {@link MeshInvariants} checks all three after each test unless the test is {@link
 * InvariantsExempt exempt}.
 */
public enum Invariant {
  /** No proxy the control plane knows rejected a config during the test, on any of its streams. */
  NO_NACKS,
  /** The control plane logged no ERROR line during the test. */
  NO_ERROR_LOG,
  /** Once the test's changes are in, nothing is generated or pushed while nothing changes. */
  NO_IDLE_REGENERATION
}
