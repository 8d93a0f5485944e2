package io.kodiak.e2e.policies;

/** How a test's mesh starts: what acts besides the policies the test applies. */
enum MeshSetup {
  /** Created with {@code skipCreatingInitialPolicies: ["*"]}: only the test's policies act. */
  BARE,
  /**
   * Created as users create it: with Kuma's initial MeshTimeout, MeshRetry and MeshCircuitBreaker.
   */
  STOCK
}
