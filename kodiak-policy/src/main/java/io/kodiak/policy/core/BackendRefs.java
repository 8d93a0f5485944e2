package io.kodiak.policy.core;

import io.kodiak.model.validation.Addresses;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.Violations;
import java.util.EnumSet;
import java.util.List;

/**
 * Checks the weighted backendRefs of routes: allowed kinds, valid ports, weights that sum above
 * zero.
 */
public final class BackendRefs {
  private static final EnumSet<TargetRefKind> KINDS =
      EnumSet.of(
          TargetRefKind.MESH_SERVICE,
          TargetRefKind.MESH_SERVICE_SUBSET,
          TargetRefKind.MESH_EXTERNAL_SERVICE,
          TargetRefKind.MESH_MULTI_ZONE_SERVICE);

  private BackendRefs() {}

  public static void check(At backendRefs, Violations out) {
    List<At> refs = backendRefs.items();
    long total = 0;
    for (At ref : refs) {
      TargetRefs.check(ref, KINDS, out);
      Addresses.port(ref.field("port"), out);
      At weight = ref.field("weight");
      if (weight.present() && weight.node().isIntegralNumber() && weight.node().asLong() < 0) {
        out.add(weight.path(), "must not be negative");
      }
      total += weight.present() ? Math.max(0, weight.node().asLong()) : 1;
    }
    if (!refs.isEmpty() && total == 0) {
      out.add(backendRefs.path(), "weights must not all be zero");
    }
  }
}
