package io.kodiak.policy.meshcircuitbreaker;

import static io.kodiak.policy.core.TargetRefKind.MESH;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.ConfChecks;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import io.kodiak.policy.core.rules.SpecMapper;
import io.kodiak.policy.meshcircuitbreaker.MeshCircuitBreakerConf.ConnectionLimits;
import io.kodiak.policy.meshcircuitbreaker.MeshCircuitBreakerConf.Detectors;
import io.kodiak.policy.meshcircuitbreaker.MeshCircuitBreakerConf.OutlierDetection;

/**
 * MeshCircuitBreaker, checked on the decoded conf (malformed and negative durations are reported by
 * the decoding, at their field): positive limits and intervals, percentages in range.
 */
final class MeshCircuitBreakerValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder()
          .top(MESH, Kinds.PROXIES)
          .to(MESH, Kinds.DESTINATIONS)
          .from(MESH)
          .rules()
          .build();
  private static final long MAX_LIMIT = 4294967295L;

  @Override
  public void validate(Resource policy, Violations out) {
    for (At block : SHAPE.check(policy, out)) {
      SpecMapper.check(block, MeshCircuitBreakerConf.class, out)
          .ifPresent(
              conf -> {
                limits(conf.connectionLimits(), block.path().field("connectionLimits"), out);
                outlier(conf.outlierDetection(), block.path().field("outlierDetection"), out);
              });
    }
  }

  private static void limits(ConnectionLimits limits, FieldPath at, Violations out) {
    if (limits == null) {
      return;
    }
    ConfChecks.range(limits.maxConnections(), at.field("maxConnections"), 1, MAX_LIMIT, out);
    ConfChecks.range(
        limits.maxPendingRequests(), at.field("maxPendingRequests"), 1, MAX_LIMIT, out);
    ConfChecks.range(limits.maxRequests(), at.field("maxRequests"), 1, MAX_LIMIT, out);
    ConfChecks.range(limits.maxRetries(), at.field("maxRetries"), 1, MAX_LIMIT, out);
    ConfChecks.range(
        limits.maxConnectionPools(), at.field("maxConnectionPools"), 1, MAX_LIMIT, out);
  }

  private static void outlier(OutlierDetection outlier, FieldPath at, Violations out) {
    if (outlier == null) {
      return;
    }
    ConfChecks.positive(outlier.interval(), at.field("interval"), out);
    ConfChecks.positive(outlier.baseEjectionTime(), at.field("baseEjectionTime"), out);
    ConfChecks.range(outlier.maxEjectionPercent(), at.field("maxEjectionPercent"), 0, 100, out);
    ConfChecks.percentage(outlier.healthyPanicThreshold(), at.field("healthyPanicThreshold"), out);
    Detectors detectors = outlier.detectors() == null ? Detectors.NONE : outlier.detectors();
    FieldPath path = at.field("detectors");
    if (detectors.successRate() != null
        && detectors.successRate().standardDeviationFactor() != null) {
      String factor = detectors.successRate().standardDeviationFactor();
      if (ConfChecks.number(factor).filter(f -> !(f < 0)).isEmpty()) {
        out.add(
            path.field("successRate").field("standardDeviationFactor"),
            "must be a non-negative number, such as 1.9");
      }
    }
    if (detectors.failurePercentage() != null) {
      ConfChecks.range(
          detectors.failurePercentage().threshold(),
          path.field("failurePercentage").field("threshold"),
          0,
          100,
          out);
    }
  }
}
