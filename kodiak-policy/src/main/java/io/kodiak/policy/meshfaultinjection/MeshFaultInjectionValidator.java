package io.kodiak.policy.meshfaultinjection;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import static io.kodiak.policy.core.TargetRefKind.*;

/** MeshFaultInjection: percentages in range, real HTTP statuses, positive delays, bandwidth with units. */
final class MeshFaultInjectionValidator implements ResourceValidator {
  private static final PolicyShape SHAPE = PolicyShape.builder()
      .top(MESH, Kinds.PROXIES).to(MESH, MESH_SERVICE, MESH_MULTI_ZONE_SERVICE).from(MESH, Kinds.SOURCES).rules()
      .build();

  @Override
  public void validate(Resource policy, Violations out) {
    for (At conf : SHAPE.check(policy, out)) {
      for (At fault : conf.field("http").items()) {
        At abort = fault.field("abort");
        abort.field("httpStatus").intRange(out, 100, 599);
        abort.field("percentage").percentage(out);
        At delay = fault.field("delay");
        delay.field("value").duration(out, DurationRule.POSITIVE);
        delay.field("percentage").percentage(out);
        At bandwidth = fault.field("responseBandwidth");
        bandwidth.field("percentage").percentage(out);
        At limit = bandwidth.field("limit");
        if (limit.present() && !limit.text().matches("\\d+(kbps|Mbps|Gbps)")) {
          out.add(limit.path(), "must be a bandwidth such as 10kbps, 5Mbps or 1Gbps");
        }
        if (!abort.present() && !delay.present() && !bandwidth.present()) {
          out.add(fault.path(), "must define at least one of abort, delay or responseBandwidth");
        }
      }
    }
  }
}
