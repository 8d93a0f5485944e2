package io.kodiak.policy.meshcircuitbreaker;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import static io.kodiak.policy.core.TargetRefKind.*;

/** MeshCircuitBreaker: positive limits and intervals, percentages in range. */
final class MeshCircuitBreakerValidator implements ResourceValidator {
  private static final PolicyShape SHAPE = PolicyShape.builder()
      .top(MESH, Kinds.PROXIES).to(MESH, Kinds.DESTINATIONS).from(MESH).rules().build();

  @Override
  public void validate(Resource policy, Violations out) {
    for (At conf : SHAPE.check(policy, out)) {
      At limits = conf.field("connectionLimits");
      for (String field : new String[] {"maxConnections", "maxPendingRequests", "maxRequests", "maxRetries",
          "maxConnectionPools"}) {
        limits.field(field).intRange(out, 1, 4294967295L);
      }
      At outlier = conf.field("outlierDetection");
      outlier.field("interval").duration(out, DurationRule.POSITIVE);
      outlier.field("baseEjectionTime").duration(out, DurationRule.POSITIVE);
      outlier.field("maxEjectionPercent").intRange(out, 0, 100);
      outlier.field("healthyPanicThreshold").percentage(out);
      At detectors = outlier.field("detectors");
      At successRate = detectors.field("successRate");
      At factor = successRate.field("standardDeviationFactor");
      if (factor.present() && (factor.number().isEmpty() || factor.number().get() < 0)) {
        out.add(factor.path(), "must be a non-negative number, such as 1.9");
      }
      detectors.field("failurePercentage").field("threshold").intRange(out, 0, 100);
    }
  }
}
