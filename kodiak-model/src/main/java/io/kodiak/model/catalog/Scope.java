package io.kodiak.model.catalog;

/** Where a resource type lives: at the top level, or inside a mesh. */
public enum Scope {
  GLOBAL("Global"),
  MESH("Mesh");

  private final String apiName;

  Scope(String apiName) {
    this.apiName = apiName;
  }

  /** The spelling used by the REST API ({@code /_resources}). */
  public String apiName() {
    return apiName;
  }
}
