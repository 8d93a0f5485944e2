package io.kodiak.policy.meshtrace;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import static io.kodiak.policy.core.TargetRefKind.*;
import io.kodiak.policy.core.Backends;

/** MeshTrace: at most one backend, sampling percentages in range, tags literal or from a header. */
final class MeshTraceValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder().top(MESH, Kinds.PROXIES_AND_GATEWAYS).topLevelDefault().build();
  private static final String[] TYPES = {"Zipkin", "Datadog", "OpenTelemetry"};

  @Override
  public void validate(Resource policy, Violations out) {
    for (At conf : SHAPE.check(policy, out)) {
      At backends = conf.field("backends"); // at most one: the schema's maxItems
      for (At backend : backends.items()) {
        At block = Backends.typedBlock(backend, TYPES, out);
        At url = block.field("url");
        if (url.present() && !url.text().matches("https?://.+")) {
          out.add(url.path(), "must be an http:// or https:// URL");
        }
      }
      At sampling = conf.field("sampling");
      sampling.field("overall").percentage(out);
      sampling.field("client").percentage(out);
      sampling.field("random").percentage(out);
      for (At tag : conf.field("tags").items()) {
        boolean literal = tag.field("literal").present();
        boolean header = tag.field("header").present();
        if (literal == header) {
          out.add(tag.path(), "must define exactly one of literal or header");
        }
      }
    }
  }
}
