package io.kodiak.policy.meshaccesslog;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshAccessLog: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshAccessLog {
  public static final PolicyModule<MeshAccessLogConf> MODULE =
      PolicyModule.of(ResourceCatalog.MESH_ACCESS_LOG, ConfType.record(MeshAccessLogConf.class))
          .validator(new MeshAccessLogValidator())
          .plugin(Phase.OBSERVABILITY, new MeshAccessLogPlugin())
          .readsProxy()
          .build();

  private MeshAccessLog() {}
}
