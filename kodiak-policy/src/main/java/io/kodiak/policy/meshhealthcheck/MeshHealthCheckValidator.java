package io.kodiak.policy.meshhealthcheck;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import static io.kodiak.policy.core.TargetRefKind.*;

/** MeshHealthCheck: positive intervals and thresholds, valid HTTP statuses. */
final class MeshHealthCheckValidator implements ResourceValidator {
  private static final PolicyShape SHAPE = PolicyShape.builder()
      .top(MESH, Kinds.PROXIES_AND_GATEWAYS).to(MESH, MESH_SERVICE, MESH_MULTI_ZONE_SERVICE).build();

  @Override
  public void validate(Resource policy, Violations out) {
    for (At conf : SHAPE.check(policy, out)) {
      conf.field("interval").duration(out, DurationRule.POSITIVE);
      conf.field("timeout").duration(out, DurationRule.POSITIVE);
      conf.field("initialJitter").duration(out, DurationRule.NON_NEGATIVE);
      conf.field("intervalJitter").duration(out, DurationRule.NON_NEGATIVE);
      conf.field("noTrafficInterval").duration(out, DurationRule.POSITIVE);
      conf.field("unhealthyThreshold").intRange(out, 1, Integer.MAX_VALUE);
      conf.field("healthyThreshold").intRange(out, 1, Integer.MAX_VALUE);
      conf.field("intervalJitterPercent").intRange(out, 0, 100);
      conf.field("healthyPanicThreshold").percentage(out);
      At http = conf.field("http");
      At path = http.field("path");
      if (path.present() && !path.text().startsWith("/")) {
        out.add(path.path(), "must start with /");
      }
      for (At status : http.field("expectedStatuses").items()) {
        status.intRange(out, 100, 599);
      }
      At tcp = conf.field("tcp");
      base64(tcp.field("send"), out);
      tcp.field("receive").items().forEach(r -> base64(r, out));
    }
  }

  private static void base64(At payload, Violations out) {
    if (payload.present()) {
      try {
        java.util.Base64.getDecoder().decode(payload.text());
      } catch (IllegalArgumentException e) {
        out.add(payload.path(), "must be base64-encoded bytes");
      }
    }
  }
}
