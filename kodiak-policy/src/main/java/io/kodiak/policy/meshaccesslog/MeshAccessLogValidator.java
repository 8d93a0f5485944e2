package io.kodiak.policy.meshaccesslog;

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
import io.kodiak.policy.core.rules.SpecMapper;
import io.kodiak.policy.meshaccesslog.MeshAccessLogConf.Backend;
import io.kodiak.policy.meshaccesslog.MeshAccessLogConf.Format;

/**
 * MeshAccessLog, checked on the decoded conf: each backend sets exactly its own block; file paths
 * absolute; TCP addresses host:port; formats complete.
 */
final class MeshAccessLogValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder()
          .top(MESH, Kinds.PROXIES_AND_GATEWAYS)
          .to(MESH, Kinds.DESTINATIONS)
          .from(MESH)
          .rules()
          .build();

  @Override
  public void validate(Resource policy, Violations out) {
    for (At block : SHAPE.check(policy, out)) {
      SpecMapper.check(block, MeshAccessLogConf.class, out)
          .ifPresent(
              conf ->
                  Lists.eachAt(
                      conf.backends(),
                      block.path().field("backends"),
                      (backend, at) -> backend(backend, at, out)));
    }
  }

  private static void backend(Backend backend, FieldPath at, Violations out) {
    Backends.check(
        at,
        backend.type(),
        out,
        new Block("File", backend.file()),
        new Block("Tcp", backend.tcp()),
        new Block("OpenTelemetry", backend.openTelemetry()));
    if ("File".equals(backend.type()) && backend.file() != null) {
      String path = backend.file().path();
      if (path != null && !path.startsWith("/")) {
        out.add(at.field("file").field("path"), "must be an absolute file path");
      }
      format(backend.file().format(), at.field("file").field("format"), out);
    } else if ("Tcp".equals(backend.type()) && backend.tcp() != null) {
      Addresses.hostPort(backend.tcp().address(), at.field("tcp").field("address"), out);
      format(backend.tcp().format(), at.field("tcp").field("format"), out);
    } else if ("OpenTelemetry".equals(backend.type())
        && backend.openTelemetry() != null
        && backend.openTelemetry().endpoint() == null) {
      out.add(
          at.field("openTelemetry").field("endpoint"),
          "is required: Kodiak sends to a collector at host:port (a backendRef is not supported)");
    }
  }

  private static void format(Format format, FieldPath at, Violations out) {
    if (format == null) {
      return;
    }
    boolean plain = "Plain".equals(format.type());
    boolean json = "Json".equals(format.type());
    if (plain && format.plain() == null) {
      out.add(at.field("plain"), "must be defined when type is Plain");
    } else if (json && (format.json() == null || format.json().isEmpty())) {
      out.add(at.field("json"), "must have at least one field when type is Json");
    }
    if (plain && format.json() != null || json && format.plain() != null) {
      out.add(at, "set only the field that matches type");
    }
  }
}
