package io.kodiak.policy.meshtcproute;

import static io.kodiak.policy.core.TargetRefKind.*;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.BackendRefs;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;

/** MeshTCPRoute: weighted backendRefs whose weights do not all vanish. */
final class MeshTCPRouteValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder()
          .top(MESH, Kinds.PROXIES_AND_GATEWAYS)
          .to(MESH, Kinds.DESTINATIONS)
          .toContent("rules")
          .build();

  @Override
  public void validate(Resource policy, Violations out) {
    SHAPE.check(policy, out);
    At spec = At.of(policy.spec(), FieldPath.of("spec"));
    for (At to : spec.field("to").items()) {
      if (to.field("rules").items().size() > 1) {
        out.add(to.field("rules").path(), "must have exactly one rule");
      }
      for (At rule : to.field("rules").items()) {
        rule.field("default").require(out);
        BackendRefs.check(rule.field("default").field("backendRefs"), out);
      }
    }
  }
}
