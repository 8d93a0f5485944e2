package io.kodiak.policy.meshhttproute;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshHTTPRoute: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshHTTPRoute {
  public static final PolicyModule<JsonNode> MODULE =
      PolicyModule.of(ResourceCatalog.MESH_HTTP_ROUTE, ConfType.json())
          .validator(new MeshHTTPRouteValidator())
          .plugin(Phase.ROUTES, new MeshHTTPRoutePlugin())
          .routeRules()
          .build();

  private MeshHTTPRoute() {}
}
