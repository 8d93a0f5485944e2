package io.kodiak.policy.meshratelimit;

import static io.kodiak.policy.core.TargetRefKind.MESH;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import io.kodiak.policy.core.rules.SpecMapper;
import io.kodiak.policy.meshratelimit.MeshRateLimitConf.Local;
import io.kodiak.policy.meshratelimit.MeshRateLimitConf.Rate;
import java.time.Duration;

/**
 * MeshRateLimit, checked on the decoded conf: positive rates over intervals of at least 50ms (the
 * decoding reports malformed and negative intervals at their field), a real status for rejections.
 */
final class MeshRateLimitValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder()
          .top(MESH, Kinds.PROXIES_AND_GATEWAYS)
          .to(MESH)
          .from(MESH)
          .rules()
          .build();
  private static final Duration SHORTEST = Duration.ofMillis(50);

  @Override
  public void validate(Resource policy, Violations out) {
    for (At block : SHAPE.check(policy, out)) {
      SpecMapper.check(block, MeshRateLimitConf.class, out)
          .ifPresent(
              conf -> {
                if (conf.local() != null) {
                  local(conf.local(), block.path().field("local"), out);
                }
              });
    }
  }

  private static void local(Local local, FieldPath at, Violations out) {
    if (local.http() != null) {
      rate(local.http().requestRate(), at.field("http").field("requestRate"), out);
    }
    if (local.tcp() != null) {
      rate(local.tcp().connectionRate(), at.field("tcp").field("connectionRate"), out);
    }
    if (local.http() != null && local.http().onRateLimit() != null) {
      Integer status = local.http().onRateLimit().status();
      if (status != null && (status < 100 || status > 599)) {
        out.add(
            at.field("http").field("onRateLimit").field("status"), "must be between 100 and 599");
      }
    }
  }

  private static void rate(Rate rate, FieldPath at, Violations out) {
    if (rate == null) {
      return;
    }
    if (rate.num() != null && (rate.num() < 1 || rate.num() > 4294967295L)) {
      out.add(at.field("num"), "must be between 1 and 4294967295");
    }
    Duration interval = rate.interval();
    if (interval != null && interval.isZero()) {
      out.add(at.field("interval"), "must be greater than zero");
    } else if (interval != null && interval.compareTo(SHORTEST) < 0) {
      out.add(at.field("interval"), "must be at least 50ms");
    }
  }
}
