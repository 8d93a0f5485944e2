package io.kodiak.k8s.controllers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.core.Resource;
import java.util.Map;

/**
 * The Dataplane a Pod should have: its mesh, name ({@code pod.namespace}), labels and networking.
 */
record DesiredDataplane(
    String mesh, String name, Map<String, String> labels, ObjectNode networking) {
  DesiredDataplane {
    labels = Map.copyOf(labels);
  }

  /** In Kuma's Universal wire format, as a REST PUT carries it. */
  ObjectNode document() {
    ObjectNode document = Documents.JSON.createObjectNode();
    document.put("type", ResourceCatalog.DATAPLANE.name());
    document.put("mesh", mesh);
    document.put("name", name);
    document.set("labels", Documents.JSON.valueToTree(labels));
    document.set("networking", networking);
    return document;
  }

  /** Whether the stored Dataplane already says this: same mesh, networking and our labels. */
  boolean matches(Resource stored) {
    return stored.mesh().equals(mesh)
        && networking.equals(stored.spec().path("networking"))
        && stored.meta().labels().entrySet().containsAll(labels.entrySet());
  }
}
