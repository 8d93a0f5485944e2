package io.kodiak.policy.meshcircuitbreaker;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/**
 * MeshCircuitBreaker: the one value Kodiak registers for this policy (see {@link PolicyModule}).
 */
public final class MeshCircuitBreaker {
  public static final PolicyModule<MeshCircuitBreakerConf> MODULE =
      PolicyModule.of(
              ResourceCatalog.MESH_CIRCUIT_BREAKER, ConfType.record(MeshCircuitBreakerConf.class))
          .validator(new MeshCircuitBreakerValidator())
          .plugin(Phase.TUNING, new MeshCircuitBreakerPlugin())
          .build();

  private MeshCircuitBreaker() {}
}
