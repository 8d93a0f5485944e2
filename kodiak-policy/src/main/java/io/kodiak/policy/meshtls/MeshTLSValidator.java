package io.kodiak.policy.meshtls;

import static io.kodiak.policy.core.TargetRefKind.MESH;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import io.kodiak.policy.core.rules.SpecMapper;
import java.util.List;

/**
 * MeshTLS, checked on the decoded conf: a TLS version range whose minimum does not exceed its
 * maximum.
 */
final class MeshTLSValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder().top(MESH, Kinds.PROXIES).from(MESH).rules().build();

  /** The versions in order; TLSAuto orders with none. */
  private static final List<String> ORDER = List.of("TLS10", "TLS11", "TLS12", "TLS13");

  @Override
  public void validate(Resource policy, Violations out) {
    for (At block : SHAPE.check(policy, out)) {
      SpecMapper.check(block, MeshTLSConf.class, out)
          .ifPresent(
              conf -> {
                int min = rank(conf.tlsVersionOrNone().min());
                int max = rank(conf.tlsVersionOrNone().max());
                if (min >= 0 && max >= 0 && min > max) {
                  out.add(
                      block.path().field("tlsVersion").field("min"), "must not be higher than max");
                }
              });
    }
  }

  /** A version's place in {@link #ORDER}; -1 for TLSAuto or none. */
  private static int rank(String version) {
    return version == null ? -1 : ORDER.indexOf(version);
  }
}
