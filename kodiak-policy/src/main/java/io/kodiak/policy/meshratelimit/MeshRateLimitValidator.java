package io.kodiak.policy.meshratelimit;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import static io.kodiak.policy.core.TargetRefKind.*;

/** MeshRateLimit: positive rates over intervals of at least 50ms, a real status for rejections. */
final class MeshRateLimitValidator implements ResourceValidator {
  private static final PolicyShape SHAPE = PolicyShape.builder()
      .top(MESH, Kinds.PROXIES_AND_GATEWAYS).to(MESH).from(MESH).rules().build();

  @Override
  public void validate(Resource policy, Violations out) {
    for (At conf : SHAPE.check(policy, out)) {
      At local = conf.field("local");
      rate(local.field("http").field("requestRate"), out);
      rate(local.field("tcp").field("connectionRate"), out);
      local.field("http").field("onRateLimit").field("status").intRange(out, 100, 599);
    }
  }

  private static void rate(At rate, Violations out) {
    if (!rate.present()) {
      return;
    }
    rate.field("num").intRange(out, 1, 4294967295L);
    var interval = rate.field("interval").duration(out, DurationRule.POSITIVE);
    if (interval.isPresent() && interval.get().toMillis() < 50 && !interval.get().isNegative()
        && !interval.get().isZero()) {
      out.add(rate.field("interval").path(), "must be at least 50ms");
    }
  }
}
