package io.kodiak.ctl.install;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Builders of Kubernetes objects as JSON trees, so each manifest reads in the order its YAML does.
 */
final class KubeObjects {
  static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** On every object the install makes, so {@code kubectl get -l} finds them all. */
  static final String PART_OF = "app.kubernetes.io/part-of";

  private KubeObjects() {}

  static ObjectNode clusterScoped(String apiVersion, String kind, String name) {
    ObjectNode object = JSON.objectNode().put("apiVersion", apiVersion).put("kind", kind);
    object.putObject("metadata").put("name", name).putObject("labels").put(PART_OF, "kodiak");
    return object;
  }

  static ObjectNode namespaced(String apiVersion, String kind, String name, String namespace) {
    ObjectNode object = clusterScoped(apiVersion, kind, name);
    ObjectNode metadata = (ObjectNode) object.get("metadata");
    // namespace right after the name, where a reader looks for it
    ObjectNode labels = (ObjectNode) metadata.remove("labels");
    metadata.put("namespace", namespace).set("labels", labels);
    return object;
  }

  static ArrayNode strings(String... values) {
    ArrayNode array = JSON.arrayNode();
    for (String value : values) {
      array.add(value);
    }
    return array;
  }
}
