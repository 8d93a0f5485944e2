package io.kodiak.policy.meshtrafficpermission;

import static io.kodiak.policy.core.TargetRefKind.MESH;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import io.kodiak.policy.core.rules.SpecMapper;
import java.util.List;
import java.util.Optional;

/**
 * MeshTrafficPermission, checked on the decoded blocks: each from[] names an action; each rules[]
 * entry lists matches, each on a SPIFFE ID (spiffe://...) or an SNI. An absent block is checked as
 * an empty one.
 */
final class MeshTrafficPermissionValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder().top(MESH, Kinds.PROXIES).from(MESH, Kinds.SOURCES).rules().build();

  @Override
  public void validate(Resource policy, Violations out) {
    SHAPE.check(policy, out);
    At spec = At.of(policy.spec(), FieldPath.of("spec"));
    for (At from : spec.field("from").items()) {
      At block = from.field("default");
      decoded(block, out)
          .ifPresent(
              conf -> {
                if (conf.action() == null) {
                  out.add(block.path().field("action"), "must be defined");
                }
              });
    }
    for (At rule : spec.field("rules").items()) {
      At block = rule.field("default");
      decoded(block, out).ifPresent(conf -> matches(conf, block.path(), out));
    }
  }

  /**
   * The decoded block; an absent one is empty; empty when it does not decode (the schema says why).
   */
  private static Optional<MeshTrafficPermissionConf> decoded(At block, Violations out) {
    return block.present()
        ? SpecMapper.check(block, MeshTrafficPermissionConf.class, out)
        : Optional.of(MeshTrafficPermissionConf.NONE);
  }

  private static void matches(MeshTrafficPermissionConf conf, FieldPath at, Violations out) {
    int count =
        list(conf.allowOrEmpty(), at.field("allow"), out)
            + list(conf.denyOrEmpty(), at.field("deny"), out)
            + list(conf.allowWithShadowDenyOrEmpty(), at.field("allowWithShadowDeny"), out);
    if (count == 0) {
      out.add(at, "must have at least one entry in allow, deny or allowWithShadowDeny");
    }
  }

  private static int list(
      List<MeshTrafficPermissionConf.Match> matches, FieldPath at, Violations out) {
    for (int i = 0; i < matches.size(); i++) {
      MeshTrafficPermissionConf.Match match = matches.get(i);
      FieldPath path = at.index(i);
      if (match.spiffeID() != null && !startsWithSpiffe(match.spiffeID().value())) {
        out.add(
            path.field("spiffeID").field("value"), "must be a SPIFFE ID starting with spiffe://");
      }
      if (match.spiffeID() == null && match.sni() == null) {
        out.add(path, "must define spiffeID or sni");
      } else if (match.sni() != null) {
        // refused rather than ignored: an ignored sni would drop a deny and widen an allow
        out.add(path.field("sni"), "is not supported by Kodiak yet; match the caller on spiffeID");
      }
    }
    return matches.size();
  }

  private static boolean startsWithSpiffe(String value) {
    return value != null && value.startsWith("spiffe://");
  }
}
