package io.kodiak.policy.core;

import static io.kodiak.policy.core.TargetRefKind.DATAPLANE;
import static io.kodiak.policy.core.TargetRefKind.MESH_EXTERNAL_SERVICE;
import static io.kodiak.policy.core.TargetRefKind.MESH_GATEWAY;
import static io.kodiak.policy.core.TargetRefKind.MESH_HTTP_ROUTE;
import static io.kodiak.policy.core.TargetRefKind.MESH_MULTI_ZONE_SERVICE;
import static io.kodiak.policy.core.TargetRefKind.MESH_SERVICE;
import static io.kodiak.policy.core.TargetRefKind.MESH_SERVICE_SUBSET;
import static io.kodiak.policy.core.TargetRefKind.MESH_SUBSET;

/** Common targetRef kind sets, so each policy states its matrix in one line. */
public final class Kinds {
  /** Kinds that select proxies at the top level (Kuma's common set). */
  public static final TargetRefKind[] PROXIES = {
    MESH_SUBSET, MESH_SERVICE, MESH_SERVICE_SUBSET, DATAPLANE
  };

  public static final TargetRefKind[] PROXIES_AND_GATEWAYS = {
    MESH_SUBSET, MESH_SERVICE, MESH_SERVICE_SUBSET, MESH_GATEWAY, DATAPLANE
  };
  public static final TargetRefKind[] PROXIES_GATEWAYS_ROUTES = {
    MESH_SUBSET, MESH_SERVICE, MESH_SERVICE_SUBSET, MESH_GATEWAY, MESH_HTTP_ROUTE, DATAPLANE
  };

  /** Destinations of outbound traffic. */
  public static final TargetRefKind[] DESTINATIONS = {
    MESH_SERVICE, MESH_EXTERNAL_SERVICE, MESH_MULTI_ZONE_SERVICE
  };

  /** Sources of inbound traffic, for policies that tell clients apart. */
  public static final TargetRefKind[] SOURCES = {MESH_SUBSET, MESH_SERVICE, MESH_SERVICE_SUBSET};

  private Kinds() {}
}
