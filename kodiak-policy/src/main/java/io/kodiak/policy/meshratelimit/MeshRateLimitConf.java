package io.kodiak.policy.meshratelimit;

import java.time.Duration;
import java.util.List;

/**
 * A MeshRateLimit {@code default} block (local rate limits only, as Kuma's); every component is
 * null when not set.
 */
record MeshRateLimitConf(Local local) {
  /** The limits the proxy enforces itself. */
  record Local(Http http, Tcp tcp) {}

  /** Requests per interval on an HTTP listener, and what a rejected request gets. */
  record Http(Boolean disabled, Rate requestRate, OnRateLimit onRateLimit) {}

  /** Connections per interval on a TCP listener. */
  record Tcp(Boolean disabled, Rate connectionRate) {}

  /** {@code num} requests (or connections) per {@code interval}. */
  record Rate(Long num, Duration interval) {}

  /** The status and headers of a rejected request. */
  record OnRateLimit(Integer status, Headers headers) {}

  /** Headers to set (overwrite) and to add (append). */
  record Headers(List<Header> set, List<Header> add) {
    Headers {
      set = set == null ? null : List.copyOf(set);
      add = add == null ? null : List.copyOf(add);
    }
  }

  record Header(String name, String value) {}
}
