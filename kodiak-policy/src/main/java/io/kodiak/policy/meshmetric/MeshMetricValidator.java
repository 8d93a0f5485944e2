package io.kodiak.policy.meshmetric;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import static io.kodiak.policy.core.TargetRefKind.*;
import io.kodiak.model.validation.Addresses;
import io.kodiak.policy.core.Backends;
import io.kodiak.policy.core.Regexes;

/** MeshMetric: valid application ports and paths, typed backends, compilable regex filters. */
final class MeshMetricValidator implements ResourceValidator {
  private static final PolicyShape SHAPE = PolicyShape.builder().top(MESH, Kinds.PROXIES).topLevelDefault().build();
  private static final String[] TYPES = {"Prometheus", "OpenTelemetry"};

  @Override
  public void validate(Resource policy, Violations out) {
    for (At conf : SHAPE.check(policy, out)) {
      for (At app : conf.field("applications").items()) {
        Addresses.port(app.field("port"), out);
        Addresses.ip(app.field("address"), out);
        At path = app.field("path");
        if (path.present() && !path.text().startsWith("/")) {
          out.add(path.path(), "must start with /");
        }
      }
      for (At backend : conf.field("backends").items()) {
        At block = Backends.typedBlock(backend, TYPES, out);
        Addresses.port(block.field("port"), out);
        block.field("refreshInterval").duration(out, DurationRule.POSITIVE);
      }
      At profiles = conf.field("sidecar").field("profiles");
      for (String list : new String[] {"include", "exclude"}) {
        for (At filter : profiles.field(list).items()) {
          if (filter.field("type").text().equals("Regex")) {
            Regexes.check(filter.field("match"), out);
          }
        }
      }
    }
  }
}
