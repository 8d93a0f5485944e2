package io.kodiak.ctl.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The resource types the control plane reports at {@code /_resources}; nothing is compiled in. */
public final class ResourceTypes {
  private final List<TypeInfo> types;

  private ResourceTypes(List<TypeInfo> types) {
    this.types = types;
  }

  public static ResourceTypes fetch(ApiClient client) {
    List<TypeInfo> types = new ArrayList<>();
    for (JsonNode t : client.get("/_resources").path("resources")) {
      types.add(
          new TypeInfo(
              t.path("name").asText(),
              t.path("path").asText(),
              t.path("scope").asText(),
              t.has("policy")));
    }
    return new ResourceTypes(List.copyOf(types));
  }

  /** Finds a type by its plural path, singular name or wire name, ignoring case. */
  public Optional<TypeInfo> find(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    return types.stream()
        .filter(t -> t.path().equals(w) || t.name().toLowerCase(Locale.ROOT).equals(w))
        .findFirst();
  }

  public Optional<TypeInfo> byName(String name) {
    return types.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  public List<TypeInfo> all() {
    return types;
  }

  /** The known words, for error messages. */
  public String describe() {
    return String.join(", ", types.stream().map(TypeInfo::path).toList());
  }

  /** One resource type as the server describes it. */
  public record TypeInfo(String name, String path, String scope, boolean policy) {
    public boolean meshScoped() {
      return scope.equals("Mesh");
    }

    /** The REST path of one resource. */
    public String itemPath(String mesh, String resourceName) {
      return meshScoped()
          ? "/meshes/" + mesh + "/" + path + "/" + resourceName
          : "/" + path + "/" + resourceName;
    }

    public String listPath(String mesh) {
      return meshScoped() ? "/meshes/" + mesh + "/" + path : "/" + path;
    }
  }
}
