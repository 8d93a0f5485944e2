package io.kodiak.policy.meshretry;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshRetry: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshRetry {
  public static final PolicyModule<JsonNode> MODULE = PolicyModule.of(ResourceCatalog.MESH_RETRY, ConfType.json())
      .validator(new MeshRetryValidator())
      .plugin(Phase.TUNING, new MeshRetryPlugin())
      .build();

  private MeshRetry() {}
}
