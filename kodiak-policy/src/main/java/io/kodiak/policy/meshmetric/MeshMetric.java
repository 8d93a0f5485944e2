package io.kodiak.policy.meshmetric;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshMetric: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshMetric {
  public static final PolicyModule<JsonNode> MODULE = PolicyModule.of(ResourceCatalog.MESH_METRIC, ConfType.json())
      .validator(new MeshMetricValidator())
      .plugin(Phase.OBSERVABILITY, new MeshMetricPlugin())
      .build();

  private MeshMetric() {}
}
