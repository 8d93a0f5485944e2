package io.kodiak.policy.core;

import io.kodiak.model.validation.At;
import io.kodiak.model.validation.Tags;
import io.kodiak.model.validation.Tags.ServiceTag;
import io.kodiak.model.validation.Violations;
import java.util.Set;
import java.util.stream.Collectors;

/** Checks one targetRef: its kind is allowed where it stands, and it names what that kind needs. */
final class TargetRefs {
  private TargetRefs() {}

  static void check(At ref, Set<TargetRefKind> allowed, Violations out) {
    At kindField = ref.field("kind");
    if (!kindField.present()) {
      return; // "must be defined" comes from the schema
    }
    var kind = TargetRefKind.fromWire(kindField.text());
    if (kind.isEmpty()) {
      return; // unknown kinds are reported by the schema's enum
    }
    if (!allowed.contains(kind.get())) {
      out.add(kindField.path(), "value is not supported here; use one of: " + names(allowed));
      return;
    }
    At name = ref.field("name");
    At labels = ref.field("labels");
    At tags = ref.field("tags");
    switch (kind.get()) {
      case MESH -> {
        forbid(name, "Mesh", out);
        forbid(tags, "Mesh", out);
        forbid(labels, "Mesh", out);
        forbid(ref.field("sectionName"), "Mesh", out);
      }
      case MESH_SUBSET -> {
        forbid(name, "MeshSubset", out);
        Tags.check(tags, ServiceTag.OPTIONAL, out);
      }
      case MESH_SERVICE, MESH_EXTERNAL_SERVICE, MESH_MULTI_ZONE_SERVICE, DATAPLANE -> {
        forbid(tags, kind.get().wireName(), out);
        if (name.present() && labels.present()) {
          out.add(ref.path(), "use either name or labels, not both");
        } else if (!name.present() && !labels.present() && kind.get() != TargetRefKind.DATAPLANE) {
          out.add(name.path(), "must be defined (or use labels)");
        }
        emptyName(name, out);
      }
      case MESH_SERVICE_SUBSET -> {
        requireName(name, out);
        Tags.check(tags, ServiceTag.OPTIONAL, out);
      }
      case MESH_GATEWAY, MESH_HTTP_ROUTE -> {
        requireName(name, out);
        forbid(tags, kind.get().wireName(), out);
      }
    }
    At proxyTypes = ref.field("proxyTypes");
    if (proxyTypes.present()
        && kind.get() != TargetRefKind.MESH
        && kind.get() != TargetRefKind.MESH_SUBSET) {
      out.add(proxyTypes.path(), "can only be used with kind Mesh or MeshSubset");
    }
  }

  private static void requireName(At name, Violations out) {
    if (!name.present()) {
      out.add(name.path(), "must be defined");
    }
    emptyName(name, out);
  }

  private static void emptyName(At name, Violations out) {
    if (name.present() && name.text().isEmpty()) {
      out.add(name.path(), "must not be empty");
    }
  }

  private static void forbid(At field, String kind, Violations out) {
    if (field.present()) {
      out.add(field.path(), "must not be set with kind " + kind);
    }
  }

  static String names(Set<TargetRefKind> kinds) {
    return kinds.stream().sorted().map(TargetRefKind::wireName).collect(Collectors.joining(", "));
  }
}
