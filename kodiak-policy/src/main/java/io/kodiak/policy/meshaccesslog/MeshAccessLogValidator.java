package io.kodiak.policy.meshaccesslog;

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

/** MeshAccessLog: each backend sets exactly its own block; paths absolute; formats complete. */
final class MeshAccessLogValidator implements ResourceValidator {
  private static final PolicyShape SHAPE = PolicyShape.builder()
      .top(MESH, Kinds.PROXIES_AND_GATEWAYS).to(MESH, Kinds.DESTINATIONS).from(MESH).rules().build();
  private static final String[] TYPES = {"File", "Tcp", "OpenTelemetry"};

  @Override
  public void validate(Resource policy, Violations out) {
    for (At conf : SHAPE.check(policy, out)) {
      for (At backend : conf.field("backends").items()) {
        At block = Backends.typedBlock(backend, TYPES, out);
        At path = block.field("path");
        if (path.present() && !path.text().startsWith("/")) {
          out.add(path.path(), "must be an absolute file path");
        }
        if (backend.field("type").text().equals("Tcp")) {
          Addresses.hostPort(block.field("address"), out);
        }
        At format = block.field("format");
        String type = format.field("type").text();
        if (type.equals("Plain") && !format.field("plain").present()) {
          out.add(format.field("plain").path(), "must be defined when type is Plain");
        } else if (type.equals("Json") && format.field("json").items().isEmpty()) {
          out.add(format.field("json").path(), "must have at least one field when type is Json");
        }
        if (type.equals("Plain") && format.field("json").present()
            || type.equals("Json") && format.field("plain").present()) {
          out.add(format.path(), "set only the field that matches type");
        }
      }
    }
  }
}
