package io.kodiak.policy.meshloadbalancingstrategy;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/**
 * MeshLoadBalancingStrategy: the one value Kodiak registers for this policy (see {@link
 * PolicyModule}).
 */
public final class MeshLoadBalancingStrategy {
  public static final PolicyModule<MeshLoadBalancingStrategyConf> MODULE =
      PolicyModule.of(
              ResourceCatalog.MESH_LOAD_BALANCING_STRATEGY,
              ConfType.record(MeshLoadBalancingStrategyConf.class))
          .validator(new MeshLoadBalancingStrategyValidator())
          .plugin(Phase.TUNING, new MeshLoadBalancingStrategyPlugin())
          .build();

  private MeshLoadBalancingStrategy() {}
}
