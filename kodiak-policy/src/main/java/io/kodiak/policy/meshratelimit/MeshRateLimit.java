package io.kodiak.policy.meshratelimit;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshRateLimit: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshRateLimit {
  public static final PolicyModule<MeshRateLimitConf> MODULE =
      PolicyModule.of(ResourceCatalog.MESH_RATE_LIMIT, ConfType.record(MeshRateLimitConf.class))
          .validator(new MeshRateLimitValidator())
          .plugin(Phase.FILTERS, new MeshRateLimitPlugin())
          .build();

  private MeshRateLimit() {}
}
