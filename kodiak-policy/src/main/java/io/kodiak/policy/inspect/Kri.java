package io.kodiak.policy.inspect;

import io.kodiak.model.core.Resource;

/**
 * Kuma Resource Identifiers: {@code kri_<short type>_<mesh>_<zone>_<namespace>_<name>_<section>}. A
 * Universal zone control plane has no zone name and no namespaces, so those stay empty.
 */
final class Kri {
  private Kri() {}

  public static String of(Resource resource) {
    return "kri_"
        + resource.type().shortName()
        + "_"
        + resource.mesh()
        + "___"
        + resource.name()
        + "_";
  }
}
