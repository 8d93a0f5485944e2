package io.kodiak.policy.meshtls;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import static io.kodiak.policy.core.TargetRefKind.*;
import java.util.List;

/** MeshTLS: a TLS version range whose minimum does not exceed its maximum. */
final class MeshTLSValidator implements ResourceValidator {
  private static final PolicyShape SHAPE = PolicyShape.builder().top(MESH, Kinds.PROXIES).from(MESH).rules().build();
  private static final List<String> ORDER = List.of("TLS10", "TLS11", "TLS12", "TLS13");

  @Override
  public void validate(Resource policy, Violations out) {
    for (At conf : SHAPE.check(policy, out)) {
      At version = conf.field("tlsVersion");
      int min = ORDER.indexOf(version.field("min").text());
      int max = ORDER.indexOf(version.field("max").text());
      if (min >= 0 && max >= 0 && min > max) {
        out.add(version.field("min").path(), "must not be higher than max");
      }
    }
  }
}
