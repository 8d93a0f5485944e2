package io.kodiak.policy.meshretry;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MeshRetry {@code default} block; every component is null when not set. Enumerations stay text
 * (the schema checks their values; the plugin maps them to Envoy's).
 */
record MeshRetryConf(Tcp tcp, Http http, Grpc grpc) {
  record Tcp(Integer maxConnectAttempt) {}

  /** Retries of HTTP routes; the gRPC block is the same without the HTTP-only fields. */
  record Http(
      Integer numRetries,
      Duration perTryTimeout,
      BackOff backOff,
      RateLimitedBackOff rateLimitedBackOff,
      List<String> retryOn,
      List<HeaderMatch> retriableResponseHeaders,
      List<HeaderMatch> retriableRequestHeaders,
      List<HostSelection> hostSelection,
      Long hostSelectionMaxAttempts) {
    Http {
      retryOn = retryOn == null ? null : List.copyOf(retryOn);
      retriableResponseHeaders =
          retriableResponseHeaders == null ? null : List.copyOf(retriableResponseHeaders);
      retriableRequestHeaders =
          retriableRequestHeaders == null ? null : List.copyOf(retriableRequestHeaders);
      hostSelection = hostSelection == null ? null : List.copyOf(hostSelection);
    }
  }

  record Grpc(
      Integer numRetries,
      Duration perTryTimeout,
      BackOff backOff,
      RateLimitedBackOff rateLimitedBackOff,
      List<String> retryOn) {
    Grpc {
      retryOn = retryOn == null ? null : List.copyOf(retryOn);
    }

    /**
     * The gRPC block as the retry policy builder reads it: an HTTP block without the HTTP-only
     * fields.
     */
    Http asHttp() {
      return new Http(
          numRetries, perTryTimeout, backOff, rateLimitedBackOff, retryOn, null, null, null, null);
    }
  }

  record BackOff(Duration baseInterval, Duration maxInterval) {}

  record RateLimitedBackOff(Duration maxInterval, List<ResetHeader> resetHeaders) {
    RateLimitedBackOff {
      resetHeaders = resetHeaders == null ? null : List.copyOf(resetHeaders);
    }
  }

  /** {@code format} is Seconds or UnixTimestamp. */
  record ResetHeader(String name, String format) {}

  /** {@code type} is Exact (when null), Present, RegularExpression, Absent or Prefix. */
  record HeaderMatch(String type, String name, String value) {}

  /** {@code predicate} is OmitPreviousHosts, OmitHostsWithTags or OmitPreviousPriorities. */
  record HostSelection(String predicate, Map<String, String> tags, Integer updateFrequency) {
    HostSelection {
      // in the order written: it is the order of the Envoy metadata match
      tags = tags == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }
  }
}
