package io.kodiak.policy.meshfaultinjection;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/**
 * MeshFaultInjection: the one value Kodiak registers for this policy (see {@link PolicyModule}).
 */
public final class MeshFaultInjection {
  public static final PolicyModule<MeshFaultInjectionConf> MODULE =
      PolicyModule.of(
              ResourceCatalog.MESH_FAULT_INJECTION, ConfType.record(MeshFaultInjectionConf.class))
          .validator(new MeshFaultInjectionValidator())
          .plugin(Phase.FILTERS, new MeshFaultInjectionPlugin())
          .build();

  private MeshFaultInjection() {}
}
