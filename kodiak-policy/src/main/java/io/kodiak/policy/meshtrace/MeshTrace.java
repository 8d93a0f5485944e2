package io.kodiak.policy.meshtrace;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshTrace: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshTrace {
  public static final PolicyModule<MeshTraceConf> MODULE =
      PolicyModule.of(ResourceCatalog.MESH_TRACE, ConfType.record(MeshTraceConf.class))
          .validator(new MeshTraceValidator())
          .plugin(Phase.OBSERVABILITY, new MeshTracePlugin())
          .readsProxy()
          .build();

  private MeshTrace() {}
}
