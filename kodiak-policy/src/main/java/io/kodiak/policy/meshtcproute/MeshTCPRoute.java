package io.kodiak.policy.meshtcproute;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshTCPRoute: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshTCPRoute {
  public static final PolicyModule<JsonNode> MODULE =
      PolicyModule.of(ResourceCatalog.MESH_TCP_ROUTE, ConfType.json())
          .validator(new MeshTCPRouteValidator())
          .plugin(Phase.ROUTES, new MeshTCPRoutePlugin())
          .routeRules()
          .build();

  private MeshTCPRoute() {}
}
