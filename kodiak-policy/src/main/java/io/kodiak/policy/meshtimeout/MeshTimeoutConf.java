package io.kodiak.policy.meshtimeout;

import java.time.Duration;

/**
 * A MeshTimeout {@code default} block; every component is null when not set. {@code 0s} turns a
 * timeout off (except connectionTimeout, which the validator keeps positive).
 */
record MeshTimeoutConf(Duration connectionTimeout, Duration idleTimeout, Http http) {
  /** The HTTP timeouts; null when the block sets none. */
  record Http(
      Duration requestTimeout,
      Duration streamIdleTimeout,
      Duration maxStreamDuration,
      Duration maxConnectionDuration,
      Duration requestHeadersTimeout) {
    static final Http NONE = new Http(null, null, null, null, null);
  }

  /** The HTTP timeouts, never null. */
  Http httpOrNone() {
    return http == null ? Http.NONE : http;
  }
}
