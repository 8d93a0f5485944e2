package io.kodiak.policy.meshtimeout;

import static io.kodiak.policy.core.TargetRefKind.MESH;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import io.kodiak.policy.core.rules.SpecMapper;

/**
 * MeshTimeout, checked on the decoded conf: durations are well-formed and not negative (the
 * decoding reports those at their field); a connection timeout cannot be zero.
 */
final class MeshTimeoutValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder()
          .top(MESH, Kinds.PROXIES_GATEWAYS_ROUTES)
          .to(MESH, Kinds.DESTINATIONS)
          .from(MESH)
          .rules()
          .build();

  @Override
  public void validate(Resource policy, Violations out) {
    for (At block : SHAPE.check(policy, out)) {
      SpecMapper.check(block, MeshTimeoutConf.class, out)
          .ifPresent(
              conf -> {
                if (conf.connectionTimeout() != null && conf.connectionTimeout().isZero()) {
                  out.add(block.path().field("connectionTimeout"), "must be greater than zero");
                }
              });
    }
  }
}
