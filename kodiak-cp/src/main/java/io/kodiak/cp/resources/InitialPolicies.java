package io.kodiak.cp.resources;

import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Kuma's default policies for a new mesh: mesh-wide MeshTimeout, MeshCircuitBreaker and MeshRetry
 * with Kuma's values, skipped per type (or all, with {@code "*"}) by the mesh's {@code
 * skipCreatingInitialPolicies}. {@link ResourceManager} creates them with the mesh.
 */
final class InitialPolicies {
  private static final String TIMEOUT =
      """
      type: MeshTimeout
      name: mesh-timeout-all-%1$s
      mesh: %1$s
      labels: {kuma.io/mesh: %1$s, kuma.io/origin: zone}
      spec:
        targetRef: {kind: Mesh}
        from:
          - targetRef: {kind: Mesh}
            default:
              connectionTimeout: 5s
              idleTimeout: 2h
              http: {requestTimeout: 0s, streamIdleTimeout: 1h, maxStreamDuration: 0s}
        to:
          - targetRef: {kind: Mesh}
            default:
              connectionTimeout: 5s
              idleTimeout: 1h
              http: {requestTimeout: 15s, streamIdleTimeout: 30m, maxStreamDuration: 0s}
      """;
  private static final String CIRCUIT_BREAKER =
      """
      type: MeshCircuitBreaker
      name: mesh-circuit-breaker-all-%1$s
      mesh: %1$s
      labels: {kuma.io/mesh: %1$s, kuma.io/origin: zone}
      spec:
        targetRef: {kind: Mesh}
        to:
          - targetRef: {kind: Mesh}
            default:
              connectionLimits: {maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3}
              outlierDetection:
                disabled: false
                interval: 10s
                baseEjectionTime: 30s
                maxEjectionPercent: 20
                splitExternalAndLocalErrors: false
                detectors:
                  totalFailures: {consecutive: 5}
                  gatewayFailures: {consecutive: 5}
                  localOriginFailures: {consecutive: 5}
                  successRate: {minimumHosts: 5, requestVolume: 100, standardDeviationFactor: "1.9"}
                  failurePercentage: {requestVolume: 50, minimumHosts: 5, threshold: 85}
      """;
  private static final String RETRY =
      """
      type: MeshRetry
      name: mesh-retry-all-%1$s
      mesh: %1$s
      labels: {kuma.io/mesh: %1$s, kuma.io/origin: zone}
      spec:
        targetRef: {kind: Mesh}
        to:
          - targetRef: {kind: Mesh}
            default:
              tcp: {maxConnectAttempt: 5}
              http:
                numRetries: 5
                perTryTimeout: 16s
                backOff: {baseInterval: 25ms, maxInterval: 250ms}
              grpc:
                numRetries: 5
                perTryTimeout: 16s
                backOff: {baseInterval: 25ms, maxInterval: 250ms}
      """;

  private InitialPolicies() {}

  /** The initial policies of {@code mesh} that its spec does not skip. */
  static List<Resource> of(Resource mesh) {
    Set<String> skip = new HashSet<>();
    mesh.spec().path("skipCreatingInitialPolicies").forEach(n -> skip.add(n.asText()));
    List<Resource> policies = new ArrayList<>();
    if (skip.contains("*")) {
      return policies;
    }
    for (String template : List.of(TIMEOUT, CIRCUIT_BREAKER, RETRY)) {
      Resource policy = ResourceCodec.decode(Documents.parse(template.formatted(mesh.name())));
      if (!skip.contains(policy.type().name())) {
        policies.add(policy);
      }
    }
    return policies;
  }
}
