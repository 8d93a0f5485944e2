package io.kodiak.cp;

import io.kodiak.cp.api.ApiServer;
import io.kodiak.cp.auth.AdminToken;
import io.kodiak.cp.config.ConfigLoader;
import io.kodiak.cp.config.CpConfig;
import io.kodiak.cp.defaults.DefaultMesh;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.cp.resources.Validators;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.store.embedded.EmbeddedResourceStore;
import io.kodiak.store.memory.InMemoryResourceStore;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires and runs the control-plane components; {@link #close} stops them in reverse order. */
public final class ControlPlane implements AutoCloseable {
  public static final String VERSION = "0.1.0";
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

  private final ResourceStore store;
  private final ApiServer api;

  private ControlPlane(ResourceStore store, ApiServer api) {
    this.store = store;
    this.api = api;
  }

  /** Starts a control plane with {@code config}; returns once the API answers. */
  public static ControlPlane start(CpConfig config) {
    long started = System.nanoTime();
    var tree = ConfigLoader.toTree(config);
    LOG.info("effective configuration: {}", tree);
    privateDirectory(config.dataPath());
    ResourceStore store = openStore(config);
    try {
      AdminToken token = AdminToken.loadOrCreate(config.dataPath());
      if (!config.defaults().skipMeshCreation()) {
        DefaultMesh.ensure(store);
      }
      String clusterId = store.setting("cluster-id").orElseGet(() -> {
        String id = UUID.randomUUID().toString();
        store.putSetting("cluster-id", id);
        return id;
      });
      String host = hostname();
      ApiServer api = new ApiServer(config, new ResourceManager(store, new Validators()), token,
          new ApiServer.Identity(host, VERSION, host + "-" + UUID.randomUUID().toString().substring(0, 4), clusterId),
          tree);
      api.start();
      LOG.info("control plane ready: REST API on {}:{} (store: {}, data: {}) in {} ms",
          config.apiServer().http().interfaceAddress(), api.port(), config.store().type(), config.dataPath(),
          (System.nanoTime() - started) / 1_000_000);
      return new ControlPlane(store, api);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  public int apiPort() {
    return api.port();
  }

  public ResourceStore store() {
    return store;
  }

  @Override
  public void close() {
    api.close();
    store.close();
    LOG.info("control plane stopped");
  }

  private static ResourceStore openStore(CpConfig config) {
    return switch (config.store().type()) {
      case embedded -> new EmbeddedResourceStore(
          config.dataPath().resolve("store.db"), config.store().embedded().sync(), Clock.systemUTC());
      case memory -> new InMemoryResourceStore(Clock.systemUTC());
    };
  }

  /** The data directory holds the store (with Secrets) and the admin token: only its owner may enter. */
  private static void privateDirectory(java.nio.file.Path dir) {
    try {
      java.nio.file.Files.createDirectories(dir);
      java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    } catch (java.io.IOException | UnsupportedOperationException e) {
      LOG.warn("could not restrict {} to its owner (mode 0700): {}", dir, e.getMessage());
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
