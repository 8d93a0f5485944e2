package io.kodiak.policy.meshtrace;

import static io.kodiak.policy.core.TargetRefKind.MESH;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Backends;
import io.kodiak.policy.core.Backends.Block;
import io.kodiak.policy.core.ConfChecks;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.Lists;
import io.kodiak.policy.core.PolicyShape;
import io.kodiak.policy.core.rules.SpecMapper;
import io.kodiak.policy.meshtrace.MeshTraceConf.Backend;
import io.kodiak.policy.meshtrace.MeshTraceConf.Sampling;
import java.util.Locale;

/**
 * MeshTrace, checked on the decoded conf: each backend sets exactly its own block (at most one
 * backend is the schema's maxItems), collector URLs are http(s), sampling percentages in range,
 * tags literal or from a header.
 */
final class MeshTraceValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder().top(MESH, Kinds.PROXIES_AND_GATEWAYS).topLevelDefault().build();

  @Override
  public void validate(Resource policy, Violations out) {
    for (At block : SHAPE.check(policy, out)) {
      SpecMapper.check(block, MeshTraceConf.class, out)
          .ifPresent(conf -> check(conf, block.path(), out));
    }
  }

  private static void check(MeshTraceConf conf, FieldPath at, Violations out) {
    Lists.eachAt(
        conf.backends(), at.field("backends"), (backend, path) -> backend(backend, path, out));
    Sampling sampling = conf.sampling();
    if (sampling != null) {
      FieldPath path = at.field("sampling");
      ConfChecks.percentage(sampling.overall(), path.field("overall"), out);
      ConfChecks.percentage(sampling.client(), path.field("client"), out);
      ConfChecks.percentage(sampling.random(), path.field("random"), out);
    }
    Lists.eachAt(
        conf.tags(),
        at.field("tags"),
        (tag, path) -> {
          if ((tag.literal() != null) == (tag.header() != null)) {
            out.add(path, "must define exactly one of literal or header");
          }
        });
  }

  private static void backend(Backend backend, FieldPath at, Violations out) {
    Backends.check(
        at,
        backend.type(),
        out,
        new Block("Zipkin", backend.zipkin()),
        new Block("Datadog", backend.datadog()),
        new Block("OpenTelemetry", backend.openTelemetry()));
    String type = backend.type() == null ? "" : backend.type();
    String url =
        switch (type) {
          case "Zipkin" -> backend.zipkin() == null ? null : backend.zipkin().url();
          case "Datadog" -> backend.datadog() == null ? null : backend.datadog().url();
          default -> null; // OpenTelemetry names an endpoint, not a URL
        };
    if (url != null && !url.matches("https?://.+")) {
      out.add(
          at.field(type.toLowerCase(Locale.ROOT)).field("url"),
          "must be an http:// or https:// URL");
    }
    if (type.equals("OpenTelemetry")
        && backend.openTelemetry() != null
        && backend.openTelemetry().endpoint() == null) {
      out.add(
          at.field("openTelemetry").field("endpoint"),
          "is required: Kodiak sends to a collector at host:port (a backendRef is not supported)");
    }
  }
}
