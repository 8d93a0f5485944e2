package io.kodiak.policy.core;

import java.util.Optional;

/** The kinds a targetRef can name. */
public enum TargetRefKind {
  MESH("Mesh"),
  MESH_SUBSET("MeshSubset"),
  MESH_GATEWAY("MeshGateway"),
  MESH_SERVICE("MeshService"),
  MESH_EXTERNAL_SERVICE("MeshExternalService"),
  MESH_MULTI_ZONE_SERVICE("MeshMultiZoneService"),
  MESH_SERVICE_SUBSET("MeshServiceSubset"),
  MESH_HTTP_ROUTE("MeshHTTPRoute"),
  DATAPLANE("Dataplane"),
  /**
   * A kind this version does not know; never valid, so only a stored policy from elsewhere has it.
   */
  UNKNOWN("");

  private final String wireName;

  TargetRefKind(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<TargetRefKind> fromWire(String name) {
    for (TargetRefKind kind : values()) {
      if (kind != UNKNOWN && kind.wireName.equals(name)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
