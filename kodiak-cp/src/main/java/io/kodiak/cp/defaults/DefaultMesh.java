package io.kodiak.cp.defaults;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.store.api.ResourceStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the mesh {@code default} (with its initial policies) at the first start only: a store
 * marker remembers it was done, so an operator who deletes it does not see it come back.
 */
public final class DefaultMesh {
  private static final String MARKER = "defaults.mesh-created";
  private static final Logger LOG = LoggerFactory.getLogger(DefaultMesh.class);

  private DefaultMesh() {}

  public static void ensure(ResourceStore store) {
    if (store.setting(MARKER).isPresent()) {
      return;
    }
    if (store.get(ResourceKey.of(ResourceCatalog.MESH, "", "default")).isEmpty()) {
      Resource mesh = store.create(ResourceCodec.decode(Documents.parse("type: Mesh\nname: default\n")));
      LOG.info("first start: created mesh default");
      InitialPolicies.createFor(mesh, store);
    }
    store.putSetting(MARKER, "true");
  }
}
