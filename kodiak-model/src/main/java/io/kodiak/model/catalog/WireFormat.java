package io.kodiak.model.catalog;

/**
 * How a resource's body is laid out in Kuma's Universal format.
 *
 * <p>Legacy types (Mesh, Dataplane, Secret) put their fields next to {@code type/name/mesh};
 * targetRef policies put them under {@code spec}.
 */
public enum WireFormat {
  TOP_LEVEL,
  SPEC
}
