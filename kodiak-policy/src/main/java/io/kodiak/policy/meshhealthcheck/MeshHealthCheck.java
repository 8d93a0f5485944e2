package io.kodiak.policy.meshhealthcheck;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshHealthCheck: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshHealthCheck {
  public static final PolicyModule<MeshHealthCheckConf> MODULE =
      PolicyModule.of(ResourceCatalog.MESH_HEALTH_CHECK, ConfType.record(MeshHealthCheckConf.class))
          .validator(new MeshHealthCheckValidator())
          .plugin(Phase.TUNING, new MeshHealthCheckPlugin())
          .build();

  private MeshHealthCheck() {}
}
