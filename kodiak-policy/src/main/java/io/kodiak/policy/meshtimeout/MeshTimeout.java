package io.kodiak.policy.meshtimeout;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshTimeout: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshTimeout {
  public static final PolicyModule<MeshTimeoutConf> MODULE =
      PolicyModule.of(ResourceCatalog.MESH_TIMEOUT, ConfType.record(MeshTimeoutConf.class))
          .validator(new MeshTimeoutValidator())
          .plugin(Phase.TUNING, new MeshTimeoutPlugin())
          .build();

  private MeshTimeout() {}
}
