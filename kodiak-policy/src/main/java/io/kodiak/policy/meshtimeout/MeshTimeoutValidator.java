package io.kodiak.policy.meshtimeout;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import static io.kodiak.policy.core.TargetRefKind.*;

/** MeshTimeout: durations are non-negative; a connection timeout cannot be zero. */
final class MeshTimeoutValidator implements ResourceValidator {
  private static final PolicyShape SHAPE = PolicyShape.builder()
      .top(MESH, Kinds.PROXIES_GATEWAYS_ROUTES).to(MESH, Kinds.DESTINATIONS).from(MESH).rules().build();

  @Override
  public void validate(Resource policy, Violations out) {
    for (At conf : SHAPE.check(policy, out)) {
      conf.field("connectionTimeout").duration(out, DurationRule.POSITIVE);
      conf.field("idleTimeout").duration(out, DurationRule.NON_NEGATIVE);
      At http = conf.field("http");
      for (String field : new String[] {"requestTimeout", "streamIdleTimeout", "maxStreamDuration",
          "maxConnectionDuration", "requestHeadersTimeout"}) {
        http.field(field).duration(out, DurationRule.NON_NEGATIVE);
      }
    }
  }
}
