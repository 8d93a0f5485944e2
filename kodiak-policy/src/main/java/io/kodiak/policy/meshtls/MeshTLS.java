package io.kodiak.policy.meshtls;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.core.module.Phase;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.ConfType;

/** MeshTLS: the one value Kodiak registers for this policy (see {@link PolicyModule}). */
public final class MeshTLS {
  public static final PolicyModule<MeshTLSConf> MODULE =
      PolicyModule.of(ResourceCatalog.MESH_TLS, ConfType.record(MeshTLSConf.class))
          .validator(new MeshTLSValidator())
          .plugin(Phase.INBOUND, new MeshTLSPlugin())
          .build();

  private MeshTLS() {}
}
