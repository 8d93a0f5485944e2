package io.kodiak.policy.meshhealthcheck;

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
import io.kodiak.policy.core.PolicyShape;
import io.kodiak.policy.core.rules.SpecMapper;
import java.util.Base64;
import java.util.List;

/**
 * MeshHealthCheck, checked on the decoded conf (malformed and negative durations are reported by
 * the decoding, at their field): positive intervals and thresholds, valid HTTP statuses, base64 TCP
 * payloads.
 */
final class MeshHealthCheckValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder()
          .top(MESH, Kinds.PROXIES_AND_GATEWAYS)
          .to(MESH, MESH_SERVICE, MESH_MULTI_ZONE_SERVICE)
          .build();

  @Override
  public void validate(Resource policy, Violations out) {
    for (At block : SHAPE.check(policy, out)) {
      SpecMapper.check(block, MeshHealthCheckConf.class, out)
          .ifPresent(conf -> check(conf, block.path(), out));
    }
  }

  private static void check(MeshHealthCheckConf conf, FieldPath at, Violations out) {
    ConfChecks.positive(conf.interval(), at.field("interval"), out);
    ConfChecks.positive(conf.timeout(), at.field("timeout"), out);
    ConfChecks.positive(conf.noTrafficInterval(), at.field("noTrafficInterval"), out);
    ConfChecks.range(
        conf.unhealthyThreshold(), at.field("unhealthyThreshold"), 1, Integer.MAX_VALUE, out);
    ConfChecks.range(
        conf.healthyThreshold(), at.field("healthyThreshold"), 1, Integer.MAX_VALUE, out);
    ConfChecks.range(conf.intervalJitterPercent(), at.field("intervalJitterPercent"), 0, 100, out);
    ConfChecks.percentage(conf.healthyPanicThreshold(), at.field("healthyPanicThreshold"), out);
    MeshHealthCheckConf.Http http = conf.httpOrNone();
    FieldPath httpAt = at.field("http");
    if (http.path() != null && !http.path().startsWith("/")) {
      out.add(httpAt.field("path"), "must start with /");
    }
    List<Integer> statuses = http.expectedStatuses() == null ? List.of() : http.expectedStatuses();
    for (int i = 0; i < statuses.size(); i++) {
      ConfChecks.range(statuses.get(i), httpAt.field("expectedStatuses").index(i), 100, 599, out);
    }
    MeshHealthCheckConf.Tcp tcp = conf.tcpOrNone();
    base64(tcp.send(), at.field("tcp").field("send"), out);
    List<String> receive = tcp.receive() == null ? List.of() : tcp.receive();
    for (int i = 0; i < receive.size(); i++) {
      base64(receive.get(i), at.field("tcp").field("receive").index(i), out);
    }
  }

  private static void base64(String payload, FieldPath at, Violations out) {
    if (payload != null) {
      try {
        Base64.getDecoder().decode(payload);
      } catch (IllegalArgumentException e) {
        out.add(at, "must be base64-encoded bytes");
      }
    }
  }
}
