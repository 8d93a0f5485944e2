package io.kodiak.policy.meshtrafficpermission;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/**
 * MeshTrafficPermission: the one value Kodiak registers for this policy (see {@link PolicyModule}).
 */
public final class MeshTrafficPermission {
  public static final PolicyModule<MeshTrafficPermissionConf> MODULE =
      PolicyModule.of(
              ResourceCatalog.MESH_TRAFFIC_PERMISSION,
              ConfType.record(MeshTrafficPermissionConf.class))
          .validator(new MeshTrafficPermissionValidator())
          .plugin(Phase.INBOUND, new MeshTrafficPermissionPlugin())
          .judgesCallers()
          .build();

  private MeshTrafficPermission() {}
}
