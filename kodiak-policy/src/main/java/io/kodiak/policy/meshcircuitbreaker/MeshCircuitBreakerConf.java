package io.kodiak.policy.meshcircuitbreaker;

import java.time.Duration;

/**
 * A MeshCircuitBreaker {@code default} block; every component is null when not set. Kuma's
 * int-or-string decimals (the panic threshold, the success-rate deviation factor) stay text.
 */
record MeshCircuitBreakerConf(
    ConnectionLimits connectionLimits, OutlierDetection outlierDetection) {
  record ConnectionLimits(
      Integer maxConnections,
      Integer maxPendingRequests,
      Integer maxRequests,
      Integer maxRetries,
      Integer maxConnectionPools) {}

  record OutlierDetection(
      Boolean disabled,
      Duration interval,
      Duration baseEjectionTime,
      Integer maxEjectionPercent,
      Boolean splitExternalAndLocalErrors,
      String healthyPanicThreshold,
      Detectors detectors) {}

  /** A detector set (even empty) is enforced; one left unset is not. */
  record Detectors(
      Consecutive totalFailures,
      Consecutive gatewayFailures,
      Consecutive localOriginFailures,
      SuccessRate successRate,
      FailurePercentage failurePercentage) {
    static final Detectors NONE = new Detectors(null, null, null, null, null);
  }

  record Consecutive(Integer consecutive) {}

  record SuccessRate(Integer minimumHosts, Integer requestVolume, String standardDeviationFactor) {}

  record FailurePercentage(Integer minimumHosts, Integer requestVolume, Integer threshold) {}
}
