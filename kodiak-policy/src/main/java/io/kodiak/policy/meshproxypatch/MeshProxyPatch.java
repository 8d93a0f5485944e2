package io.kodiak.policy.meshproxypatch;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshProxyPatch: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshProxyPatch {
  public static final PolicyModule<JsonNode> MODULE =
      PolicyModule.of(ResourceCatalog.MESH_PROXY_PATCH, ConfType.json())
          .validator(new MeshProxyPatchValidator())
          .plugin(Phase.PATCH, new MeshProxyPatchPlugin())
          .readsProxy()
          .build();

  private MeshProxyPatch() {}
}
