package io.kodiak.model.catalog;

/** Who may read resources of a type through the API. */
public enum ReadAccess {
  /** Anyone the API server lets read (open by default, closable by configuration). */
  DEFAULT,
  /** Only admins: the type holds key material. */
  ADMIN_ONLY
}
