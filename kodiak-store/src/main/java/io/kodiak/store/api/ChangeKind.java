package io.kodiak.store.api;

/** What happened to a resource. */
public enum ChangeKind {
  CREATED,
  UPDATED,
  DELETED
}
