package io.kodiak.model.catalog;

import java.util.Locale;
import java.util.Optional;

/**
 * Descriptor of one resource type. One instance per type, all listed in {@link ResourceCatalog}.
 *
 * @param name the type name on the wire ({@code MeshTimeout})
 * @param path the plural path segment ({@code meshtimeouts})
 * @param singularDisplayName human name ({@code Mesh Timeout})
 * @param pluralDisplayName human plural ({@code Mesh Timeouts})
 * @param shortName the short name used in KRIs ({@code mt})
 * @param scope global or per mesh
 * @param format where the fields live on the wire
 * @param readAccess who may read it
 * @param policy the targetRef sections, empty for non-policy types
 */
public record ResourceType(
    String name,
    String path,
    String singularDisplayName,
    String pluralDisplayName,
    String shortName,
    Scope scope,
    WireFormat format,
    ReadAccess readAccess,
    Optional<PolicySections> policy) {

  public boolean isPolicy() {
    return policy.isPresent();
  }

  public boolean isMeshScoped() {
    return scope == Scope.MESH;
  }

  /** The lower-case singular form kumactl accepts ({@code meshtimeout}). */
  public String singularPath() {
    return name.toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return name;
  }
}
