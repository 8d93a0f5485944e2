package io.kodiak.policy.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.Iterator;
import java.util.Map;

/** Whether a policy's top-level targetRef selects an inbound of a proxy, and how specifically. */
public final class TargetSelection {
  private TargetSelection() {}

  public static boolean selects(JsonNode ref, ProxyModel proxy, Inbound inbound) {
    String kind = ref.path("kind").asText("Mesh");
    String name = ref.path("name").asText("");
    return switch (kind) {
      case "Mesh" -> true;
      case "MeshSubset" -> tagsMatch(ref.path("tags"), inbound.tags());
      case "MeshService" -> inbound.service().equals(name);
      case "MeshServiceSubset" -> inbound.service().equals(name) && tagsMatch(ref.path("tags"), inbound.tags());
      case "Dataplane" -> (name.isEmpty() || proxy.name().equals(name)) && tagsMatch(ref.path("labels"), proxy.labels());
      default -> false;
    };
  }

  public static int specificity(JsonNode ref) {
    return switch (ref.path("kind").asText("Mesh")) {
      case "MeshSubset" -> 1;
      case "MeshService" -> 2;
      case "MeshServiceSubset" -> 3;
      case "Dataplane" -> 4;
      default -> 0;
    };
  }

  private static boolean tagsMatch(JsonNode wanted, Map<String, String> actual) {
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
