package io.kodiak.policy.meshmetric;

import static io.kodiak.policy.core.TargetRefKind.MESH;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.Addresses;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Backends;
import io.kodiak.policy.core.Backends.Block;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.Lists;
import io.kodiak.policy.core.PolicyShape;
import io.kodiak.policy.core.Regexes;
import io.kodiak.policy.core.rules.SpecMapper;
import io.kodiak.policy.meshmetric.MeshMetricConf.Backend;
import io.kodiak.policy.meshmetric.MeshMetricConf.Profiles;
import io.kodiak.policy.meshmetric.MeshMetricConf.Selector;
import java.util.List;

/**
 * MeshMetric, checked on the decoded conf: valid application ports, addresses and paths; typed
 * backends with valid ports and positive refresh intervals (the decoding reports malformed and
 * negative ones at their field); compilable regex filters.
 */
final class MeshMetricValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder().top(MESH, Kinds.PROXIES).topLevelDefault().build();

  @Override
  public void validate(Resource policy, Violations out) {
    for (At block : SHAPE.check(policy, out)) {
      SpecMapper.check(block, MeshMetricConf.class, out)
          .ifPresent(conf -> check(conf, block.path(), out));
    }
  }

  private static void check(MeshMetricConf conf, FieldPath at, Violations out) {
    Lists.eachAt(
        conf.applications(),
        at.field("applications"),
        (app, path) -> {
          Addresses.port(app.port(), path.field("port"), out);
          Addresses.ip(app.address(), path.field("address"), out);
          if (app.path() != null && !app.path().startsWith("/")) {
            out.add(path.field("path"), "must start with /");
          }
        });
    Lists.eachAt(
        conf.backends(), at.field("backends"), (backend, path) -> backend(backend, path, out));
    Profiles profiles = conf.sidecar() == null ? null : conf.sidecar().profiles();
    if (profiles != null) {
      FieldPath path = at.field("sidecar").field("profiles");
      selectors(profiles.include(), path.field("include"), out);
      selectors(profiles.exclude(), path.field("exclude"), out);
    }
  }

  private static void backend(Backend backend, FieldPath at, Violations out) {
    Backends.check(
        at,
        backend.type(),
        out,
        new Block("Prometheus", backend.prometheus()),
        new Block("OpenTelemetry", backend.openTelemetry()));
    if ("Prometheus".equals(backend.type()) && backend.prometheus() != null) {
      Addresses.port(backend.prometheus().port(), at.field("prometheus").field("port"), out);
    } else if ("OpenTelemetry".equals(backend.type())
        && backend.openTelemetry() != null
        && backend.openTelemetry().refreshInterval() != null
        && backend.openTelemetry().refreshInterval().isZero()) {
      out.add(at.field("openTelemetry").field("refreshInterval"), "must be greater than zero");
    }
  }

  private static void selectors(List<Selector> selectors, FieldPath at, Violations out) {
    Lists.eachAt(
        selectors,
        at,
        (selector, path) -> {
          if ("Regex".equals(selector.type())) {
            Regexes.check(selector.match(), path.field("match"), out);
          }
        });
  }
}
