package io.kodiak.policy.meshmetric;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshMetric: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshMetric {
  public static final PolicyModule<MeshMetricConf> MODULE =
      PolicyModule.of(ResourceCatalog.MESH_METRIC, ConfType.record(MeshMetricConf.class))
          .validator(new MeshMetricValidator())
          .plugin(Phase.OBSERVABILITY, new MeshMetricPlugin())
          .readsProxy()
          .build();

  private MeshMetric() {}
}
