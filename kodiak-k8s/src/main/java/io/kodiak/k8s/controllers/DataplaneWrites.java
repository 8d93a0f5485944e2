package io.kodiak.k8s.controllers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.core.ResourceKey;

/**
 * Where the Pod controller's Dataplanes are written: the control plane's one write path, which
 * validates them as any other write ({@link io.kodiak.model.validation.ValidationException} with
 * every violation) and applies the system labels.
 */
public interface DataplaneWrites {
  /** Creates or replaces the Dataplane this Universal-format document describes. */
  void put(ObjectNode document);

  /** Deletes it; nothing happens when it is already gone. */
  void delete(ResourceKey key);
}
