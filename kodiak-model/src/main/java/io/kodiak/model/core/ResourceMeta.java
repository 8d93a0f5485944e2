package io.kodiak.model.core;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Store-maintained metadata of a resource.
 *
 * @param version optimistic-concurrency version; 0 for a resource not stored yet
 * @param creationTime when it was first stored, null before that
 * @param modificationTime when it was last stored, null before that
 * @param labels user and system labels, sorted by key
 */
public record ResourceMeta(
    long version, Instant creationTime, Instant modificationTime, Map<String, String> labels) {
  public ResourceMeta {
    labels = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(labels, "labels")));
  }

  /** Metadata of a resource that has not been stored yet. */
  public static ResourceMeta unsaved(Map<String, String> labels) {
    return new ResourceMeta(0, null, null, labels);
  }

  public ResourceMeta withLabels(Map<String, String> newLabels) {
    return new ResourceMeta(version, creationTime, modificationTime, newLabels);
  }
}
