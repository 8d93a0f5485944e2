package io.kodiak.policy.meshtrafficpermission;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import static io.kodiak.policy.core.TargetRefKind.*;

/** MeshTrafficPermission: each from[] names an action; rules[] match on SPIFFE IDs. */
final class MeshTrafficPermissionValidator implements ResourceValidator {
  private static final PolicyShape SHAPE = PolicyShape.builder()
      .top(MESH, Kinds.PROXIES).from(MESH, Kinds.SOURCES).rules().build();

  @Override
  public void validate(Resource policy, Violations out) {
    SHAPE.check(policy, out);
    At spec = At.of(policy.spec(), io.kodiak.model.validation.FieldPath.of("spec"));
    for (At from : spec.field("from").items()) {
      from.field("default").field("action").require(out);
    }
    for (At rule : spec.field("rules").items()) {
      At conf = rule.field("default");
      int matches = 0;
      for (String list : new String[] {"allow", "deny", "allowWithShadowDeny"}) {
        for (At match : conf.field(list).items()) {
          matches++;
          At spiffe = match.field("spiffeID");
          if (spiffe.present() && !spiffe.field("value").text().startsWith("spiffe://")) {
            out.add(spiffe.field("value").path(), "must be a SPIFFE ID starting with spiffe://");
          }
          if (!spiffe.present() && !match.field("sni").present()) {
            out.add(match.path(), "must define spiffeID or sni");
          }
        }
      }
      if (matches == 0) {
        out.add(conf.path(), "must have at least one entry in allow, deny or allowWithShadowDeny");
      }
    }
  }
}
