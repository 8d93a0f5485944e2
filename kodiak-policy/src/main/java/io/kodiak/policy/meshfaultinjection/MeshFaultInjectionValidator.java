package io.kodiak.policy.meshfaultinjection;

import static io.kodiak.policy.core.TargetRefKind.MESH;
import static io.kodiak.policy.core.TargetRefKind.MESH_MULTI_ZONE_SERVICE;
import static io.kodiak.policy.core.TargetRefKind.MESH_SERVICE;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.ConfChecks;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.Lists;
import io.kodiak.policy.core.PolicyShape;
import io.kodiak.policy.core.rules.SpecMapper;
import io.kodiak.policy.meshfaultinjection.MeshFaultInjectionConf.Fault;
import java.util.regex.Pattern;

/**
 * MeshFaultInjection, checked on the decoded conf: percentages in range, real HTTP statuses,
 * positive delays (the decoding reports malformed and negative ones at their field), bandwidth with
 * units.
 */
final class MeshFaultInjectionValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder()
          .top(MESH, Kinds.PROXIES)
          .to(MESH, MESH_SERVICE, MESH_MULTI_ZONE_SERVICE)
          .from(MESH, Kinds.SOURCES)
          .rules()
          .build();
  private static final Pattern BANDWIDTH = Pattern.compile("\\d+(kbps|Mbps|Gbps)");

  @Override
  public void validate(Resource policy, Violations out) {
    for (At block : SHAPE.check(policy, out)) {
      SpecMapper.check(block, MeshFaultInjectionConf.class, out)
          .ifPresent(
              conf ->
                  Lists.eachAt(
                      conf.http(),
                      block.path().field("http"),
                      (fault, at) -> fault(fault, at, out)));
    }
  }

  private static void fault(Fault fault, FieldPath at, Violations out) {
    if (fault.abort() != null) {
      FieldPath abort = at.field("abort");
      Integer status = fault.abort().httpStatus();
      if (status != null && (status < 100 || status > 599)) {
        out.add(abort.field("httpStatus"), "must be between 100 and 599");
      }
      ConfChecks.percentage(fault.abort().percentage(), abort.field("percentage"), out);
    }
    if (fault.delay() != null) {
      FieldPath delay = at.field("delay");
      if (fault.delay().value() != null && fault.delay().value().isZero()) {
        out.add(delay.field("value"), "must be greater than zero");
      }
      ConfChecks.percentage(fault.delay().percentage(), delay.field("percentage"), out);
    }
    if (fault.responseBandwidth() != null) {
      FieldPath bandwidth = at.field("responseBandwidth");
      ConfChecks.percentage(
          fault.responseBandwidth().percentage(), bandwidth.field("percentage"), out);
      String limit = fault.responseBandwidth().limit();
      if (limit != null && !BANDWIDTH.matcher(limit).matches()) {
        out.add(bandwidth.field("limit"), "must be a bandwidth such as 10kbps, 5Mbps or 1Gbps");
      }
    }
    if (fault.abort() == null && fault.delay() == null && fault.responseBandwidth() == null) {
      out.add(at, "must define at least one of abort, delay or responseBandwidth");
    }
  }
}
