package io.kodiak.cp.config;

import java.nio.file.Path;

/**
 * The control plane's effective configuration; see {@code defaults.yaml} for every key's meaning.
 * Immutable.
 */
public record CpConfig(String dataDir, ApiServer apiServer, Store store, Defaults defaults) {
  public record ApiServer(Http http, boolean readsRequireToken, int maxRequestBytes) {}

  public record Http(@com.fasterxml.jackson.annotation.JsonProperty("interface") String interfaceAddress, int port) {}

  public record Store(StoreType type, Embedded embedded) {}

  public record Embedded(io.kodiak.store.embedded.SyncMode sync) {}

  public record Defaults(boolean skipMeshCreation) {}

  /** Which store implementation backs the control plane. */
  public enum StoreType {
    embedded,
    memory
  }

  /** The data directory with {@code ~} expanded. */
  public Path dataPath() {
    String dir = dataDir.startsWith("~") ? System.getProperty("user.home") + dataDir.substring(1) : dataDir;
    return Path.of(dir).toAbsolutePath().normalize();
  }
}
