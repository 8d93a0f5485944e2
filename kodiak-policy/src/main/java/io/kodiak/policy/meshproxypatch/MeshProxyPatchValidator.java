package io.kodiak.policy.meshproxypatch;

import static io.kodiak.policy.core.TargetRefKind.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import java.util.Set;

/**
 * MeshProxyPatch: each modification targets one kind of Envoy resource, values parse, JSON patches
 * are well-formed, and nothing nests deeper than {@link #MAX_DEPTH}.
 */
final class MeshProxyPatchValidator implements ResourceValidator {
  /** Deepest nesting accepted in a patch value; Envoy config is never this deep legitimately. */
  public static final int MAX_DEPTH = 32;

  private static final PolicyShape SHAPE =
      PolicyShape.builder().top(MESH, Kinds.PROXIES_AND_GATEWAYS).topLevelDefault().build();
  private static final String[] TARGETS = {
    "cluster", "listener", "networkFilter", "httpFilter", "virtualHost"
  };

  @Override
  public void validate(Resource policy, Violations out) {
    for (At conf : SHAPE.check(policy, out)) {
      At list = conf.field("appendModifications");
      if (list.items().isEmpty()) {
        out.add(list.path(), "must have at least one modification");
      }
      for (At modification : list.items()) {
        At target = null;
        String targetName = null;
        for (String name : TARGETS) {
          if (modification.field(name).present()) {
            if (target != null) {
              out.add(
                  modification.path(), "must modify exactly one of: " + String.join(", ", TARGETS));
            }
            target = modification.field(name);
            targetName = name;
          }
        }
        if (target == null) {
          out.add(modification.path(), "must modify one of: " + String.join(", ", TARGETS));
        } else {
          checkTarget(target, out);
          checkEnvoyValue(target, targetName, out);
        }
      }
    }
  }

  private static void checkTarget(At target, Violations out) {
    String operation = target.field("operation").text();
    At value = target.field("value");
    At patches = target.field("jsonPatches");
    boolean remove = operation.equals("Remove");
    if (remove && (value.present() || patches.present())) {
      out.add(target.path(), "a Remove operation takes neither value nor jsonPatches");
    }
    if (operation.equals("Patch") && !value.present() && !patches.present()) {
      out.add(target.path(), "a Patch operation needs value or jsonPatches");
    }
    if (!remove && !operation.equals("Patch") && !value.present()) {
      out.add(value.path(), "must be defined for operation " + operation);
    }
    if (operation.equals("Patch") && value.present() && patches.present()) {
      out.add(target.path(), "use either value or jsonPatches, not both");
    }
    if (value.present() && value.node().isTextual()) {
      try {
        JsonNode parsed = Documents.parse(value.text());
        if (!parsed.isObject()) {
          out.add(value.path(), "must be an object in YAML or JSON");
        } else if (depth(parsed) > MAX_DEPTH) {
          out.add(value.path(), "nests deeper than " + MAX_DEPTH + " levels");
        }
      } catch (ValidationException e) {
        out.add(value.path(), "does not parse: " + e.getMessage());
      }
    }
    for (At patch : patches.items()) {
      At op = patch.field("op"); // its values are the schema's enum
      if (!patch.field("path").text().startsWith("/")) {
        out.add(patch.field("path").path(), "must be a JSON pointer starting with /");
      }
      if (Set.of("add", "replace", "test").contains(op.text()) && !patch.field("value").present()) {
        out.add(patch.field("value").path(), "must be defined for op " + op.text());
      }
      if (patch.field("value").present() && depth(patch.field("value").node()) > MAX_DEPTH) {
        out.add(patch.field("value").path(), "nests deeper than " + MAX_DEPTH + " levels");
      }
    }
  }

  /** The value must be the target's Envoy type, with known fields and known typed configs. */
  private static void checkEnvoyValue(At target, String kind, Violations out) {
    At value = target.field("value");
    if (!value.present() || !value.node().isTextual()) {
      return;
    }
    try {
      Documents.parse(value.text());
    } catch (ValidationException e) {
      return; // reported as not parsing at all
    }
    try {
      PatchValues.parse(value.text(), PatchValues.builderFor(kind).get());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      out.add(value.path(), "is not a valid Envoy " + kind + ": " + e.getMessage());
    }
  }

  private static int depth(JsonNode node) {
    int deepest = 0;
    for (JsonNode child : node) {
      deepest = Math.max(deepest, depth(child));
    }
    return node.isContainerNode() ? deepest + 1 : 0;
  }
}
