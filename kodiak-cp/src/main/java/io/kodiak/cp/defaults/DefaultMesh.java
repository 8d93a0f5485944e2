package io.kodiak.cp.defaults;

import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;

/**
 * Creates the mesh {@code default} (with its initial policies) at the first start only: a store
 * marker remembers it was done, so an operator who deletes it does not see it come back.
 */
public final class DefaultMesh {
  private static final String MARKER = "defaults.mesh-created";

  private DefaultMesh() {}

  public static void ensure(ResourceManager manager) {
    if (manager.setting(MARKER).isPresent()) {
      return;
    }
    manager.createSystemResource(
        ResourceCodec.decode(Documents.parse("type: Mesh\nname: default\n")), "first start");
    manager.putSetting(MARKER, "true");
  }
}
