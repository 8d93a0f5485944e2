package io.kodiak.policy.meshretry;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshRetry: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshRetry {
  public static final PolicyModule<MeshRetryConf> MODULE =
      PolicyModule.of(ResourceCatalog.MESH_RETRY, ConfType.record(MeshRetryConf.class))
          .validator(new MeshRetryValidator())
          .plugin(Phase.TUNING, new MeshRetryPlugin())
          .build();

  private MeshRetry() {}
}
