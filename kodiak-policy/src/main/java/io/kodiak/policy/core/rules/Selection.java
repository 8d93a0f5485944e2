package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.policy.core.TargetRefKind;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.Iterator;
import java.util.Map;

/**
 * What a top-level targetRef selects, and how specifically. The legacy {@code kuma.io/service} tag
 * and a {@code MeshService} name identify the same service in Universal mode.
 */
public final class Selection {
  private Selection() {}

  /** Whether the targetRef selects this proxy at all (for its outbounds or any inbound). */
  public static boolean selectsProxy(JsonNode ref, ProxyModel proxy) {
    TargetRefKind kind = kind(ref);
    if (kind == TargetRefKind.MESH) {
      return proxyTypeSidecar(ref);
    }
    if (kind == TargetRefKind.MESH_HTTP_ROUTE) {
      return false; // selects routes, not proxies: see PolicyRules#toRoute
    }
    if (kind == TargetRefKind.MESH_SUBSET && !ref.path("tags").fields().hasNext()) {
      return proxyTypeSidecar(ref);
    }
    if (kind == TargetRefKind.DATAPLANE && !ref.has("sectionName")) {
      return dataplaneMatches(ref, proxy);
    }
    return proxy.inbounds().stream().anyMatch(inbound -> selectsInbound(ref, proxy, inbound));
  }

  /** Whether the targetRef selects every sidecar of the mesh, whatever its tags, name or labels. */
  static boolean selectsEveryProxy(JsonNode ref) {
    TargetRefKind kind = kind(ref);
    return (kind == TargetRefKind.MESH
            || (kind == TargetRefKind.MESH_SUBSET && !ref.path("tags").fields().hasNext()))
        && proxyTypeSidecar(ref);
  }

  /** Whether the targetRef selects this inbound of the proxy. */
  public static boolean selectsInbound(JsonNode ref, ProxyModel proxy, Inbound inbound) {
    String name = ref.path("name").asText("");
    return switch (kind(ref)) {
      case MESH -> proxyTypeSidecar(ref);
      case MESH_SUBSET -> proxyTypeSidecar(ref) && tagsMatch(ref.path("tags"), inbound.tags());
      case MESH_SERVICE -> inbound.service().equals(name);
      case MESH_SERVICE_SUBSET ->
          inbound.service().equals(name) && tagsMatch(ref.path("tags"), inbound.tags());
      case DATAPLANE ->
          dataplaneMatches(ref, proxy)
              && (!ref.has("sectionName")
                  || ref.path("sectionName").asText().equals(String.valueOf(inbound.port())));
      default -> false;
    };
  }

  /**
   * How specific a top-level targetRef is; more specific policies merge later and so win: Mesh,
   * MeshSubset, MeshService, MeshServiceSubset, Dataplane by labels, Dataplane by name, then
   * Dataplane with a sectionName. A MeshHTTPRoute target is the most specific of all.
   */
  public static int specificity(JsonNode ref) {
    return switch (kind(ref)) {
      case MESH_SUBSET -> 1;
      case MESH_SERVICE -> 2;
      case MESH_SERVICE_SUBSET -> 3;
      case DATAPLANE -> ref.has("sectionName") ? 6 : ref.has("name") ? 5 : 4;
      case MESH_HTTP_ROUTE -> 7;
      default -> 0;
    };
  }

  /**
   * How specific a {@code to[]} or {@code from[]} targetRef is: Mesh < MeshSubset < MeshService <
   * MeshServiceSubset.
   */
  public static int sectionSpecificity(JsonNode ref) {
    return switch (kind(ref)) {
      case MESH_SUBSET -> 1;
      case MESH_SERVICE -> 2;
      case MESH_SERVICE_SUBSET -> 3;
      default -> 0;
    };
  }

  /** Whether a {@code to[]} targetRef names this destination service. */
  public static boolean toMatches(JsonNode ref, String service) {
    return switch (kind(ref)) {
      case MESH -> true;
      case MESH_SERVICE, MESH_SERVICE_SUBSET -> ref.path("name").asText().equals(service);
      default -> false;
    };
  }

  /**
   * A targetRef's kind; no kind is Mesh. A kind Kodiak does not know selects nothing (validation
   * refuses it).
   */
  public static TargetRefKind kind(JsonNode ref) {
    return ref.has("kind")
        ? TargetRefKind.fromWire(ref.path("kind").asText()).orElse(TargetRefKind.UNKNOWN)
        : TargetRefKind.MESH;
  }

  private static boolean dataplaneMatches(JsonNode ref, ProxyModel proxy) {
    return (!ref.has("name") || proxy.name().equals(ref.path("name").asText()))
        && tagsMatch(ref.path("labels"), proxy.labels());
  }

  /**
   * proxyTypes limits Mesh and MeshSubset to sidecars or gateways; Kodiak's proxies are sidecars.
   */
  private static boolean proxyTypeSidecar(JsonNode ref) {
    JsonNode types = ref.path("proxyTypes");
    if (!types.isArray() || types.isEmpty()) {
      return true;
    }
    for (JsonNode type : types) {
      if (type.asText().equals("Sidecar")) {
        return true;
      }
    }
    return false;
  }

  static boolean tagsMatch(JsonNode wanted, Map<String, String> actual) {
    Iterator<Map.Entry<String, JsonNode>> it = wanted.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> tag = it.next();
      if (!tag.getValue().asText().equals(actual.get(tag.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
