package io.kodiak.policy.core.module;

/**
 * When a policy's plugin runs, phase by phase; within a phase, in the order of the module list. Who
 * may call and over which TLS comes first (the inbound listeners are then complete); routes next,
 * because they decide which routes and clusters exist; then the HTTP filters (each goes right
 * before the router, so the one added first meets the request first); then what tunes routes and
 * clusters; then observability; MeshProxyPatch last, so it sees, and may change, everything.
 */
public enum Phase {
  INBOUND,
  ROUTES,
  FILTERS,
  TUNING,
  OBSERVABILITY,
  PATCH
}
