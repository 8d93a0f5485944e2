package io.kodiak.model.validation;

import io.kodiak.model.core.Resource;

/**
 * The semantic rules of one resource type, applied after the structural schema check.
 * Implementations are stateless and thread-safe.
 */
public interface ResourceValidator {
  /** Adds every violation of {@code resource} to {@code out}, with paths in wire form. */
  void validate(Resource resource, Violations out);
}
