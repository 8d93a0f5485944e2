package io.kodiak.store.api;

import io.kodiak.model.core.Resource;

/** One durable change. For {@link ChangeKind#DELETED} the resource is the last stored state. */
public record ResourceChange(ChangeKind kind, Resource resource) {}
