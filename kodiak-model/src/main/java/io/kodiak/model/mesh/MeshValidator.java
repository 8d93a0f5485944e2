package io.kodiak.model.mesh;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/** Semantic rules of a Mesh: backends named once, enabled backends exist, known modes. */
public final class MeshValidator implements ResourceValidator {
  private static final Set<String> CA_TYPES = Set.of("builtin", "provided");

  @Override
  public void validate(Resource resource, Violations out) {
    At mesh = At.of(resource.spec(), FieldPath.root());
    validateMtls(mesh.field("mtls"), out);
    Set<String> logging = backendNames(mesh.field("logging").field("backends"), out);
    checkReference(mesh.field("logging").field("defaultBackend"), logging, out);
    Set<String> tracing = backendNames(mesh.field("tracing").field("backends"), out);
    checkReference(mesh.field("tracing").field("defaultBackend"), tracing, out);
    for (At backend : mesh.field("tracing").field("backends").items()) {
      backend.field("sampling").percentage(out);
    }
    Set<String> metrics = backendNames(mesh.field("metrics").field("backends"), out);
    checkReference(mesh.field("metrics").field("enabledBackend"), metrics, out);
    for (At backend : mesh.field("metrics").field("backends").items()) {
      oneOf(backend.field("type"), Set.of("prometheus"), out);
    }
    for (At policy : mesh.field("skipCreatingInitialPolicies").items()) {
      String name = policy.text();
      boolean known =
          name.equals("*") || ResourceCatalog.byName(name).map(t -> t.isPolicy()).orElse(false);
      if (!known) {
        out.add(policy.path(), "must be \"*\" or the name of a policy type, such as MeshTimeout");
      }
    }
    oneOf(
        mesh.field("meshServices").field("mode"),
        Set.of("Disabled", "Everywhere", "ReachableBackends", "Exclusive"),
        out);
  }

  private static void validateMtls(At mtls, Violations out) {
    Set<String> names = backendNames(mtls.field("backends"), out);
    checkReference(mtls.field("enabledBackend"), names, out);
    for (At backend : mtls.field("backends").items()) {
      At type = backend.field("type");
      type.require(out);
      oneOf(type, CA_TYPES, out);
      oneOf(backend.field("mode"), Set.of("STRICT", "PERMISSIVE"), out);
      backend
          .field("dpCert")
          .field("rotation")
          .field("expiration")
          .duration(out, DurationRule.POSITIVE);
      At conf = backend.field("conf");
      if (type.text().equals("builtin")) {
        conf.field("caCert").field("expiration").duration(out, DurationRule.POSITIVE);
        for (String name : new String[] {"RSAbits", "rsaBits"}) {
          At bits = conf.field("caCert").field(name);
          if (bits.present() && bits.node().isIntegralNumber() && bits.node().asInt() < 2048) {
            out.add(bits.path(), "must be at least 2048");
          }
        }
      } else if (type.text().equals("provided")) {
        conf.field("cert").require(out);
        conf.field("key").require(out);
      }
    }
  }

  private static Set<String> backendNames(At backends, Violations out) {
    Set<String> names = new HashSet<>();
    for (At backend : backends.items()) {
      At name = backend.field("name");
      if (name.text().isEmpty()) {
        out.add(name.path(), "must be defined and not empty");
      } else if (!names.add(name.text())) {
        out.add(name.path(), "\"" + name.text() + "\" is already used by another backend");
      }
    }
    return names;
  }

  private static void checkReference(At reference, Set<String> names, Violations out) {
    if (reference.present() && !reference.text().isEmpty() && !names.contains(reference.text())) {
      out.add(reference.path(), "there is no backend named \"" + reference.text() + "\"");
    }
  }

  private static void oneOf(At field, Set<String> allowed, Violations out) {
    if (field.present() && field.node().isTextual() && !allowed.contains(field.text())) {
      out.add(field.path(), "must be one of: " + String.join(", ", new TreeSet<>(allowed)));
    }
  }
}
