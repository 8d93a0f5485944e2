package io.kodiak.cp.dpserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.cp.insights.DataplaneInsights;
import io.kodiak.cp.leader.SingletonTask;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.cp.tokens.DataplaneTokens.Refused;
import io.kodiak.cp.tokens.DataplaneTokens.Verification;
import io.kodiak.cp.tokens.DataplaneTokens.Verified;
import io.kodiak.cp.tokens.ProxyCredentials;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.StoreException;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.proxy.ProxyModels;
import io.kodiak.xds.server.NodeInfo;
import io.kodiak.xds.server.StreamEvents;
import io.kodiak.xds.server.StreamRejectedException;
import io.kodiak.xds.sync.SnapshotSync;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kuma's direct lifecycle: when a proxy's stream names its node, the Dataplane it carries in its
 * metadata is stored (created or updated); one stream owns a proxy name at a time; when the stream
 * closes, the proxy's endpoints leave the mesh at once and its Dataplane is deleted after a grace
 * period unless the proxy comes back. Also feeds the insights. Thread-safe.
 */
public final class DataplaneLifecycle implements StreamEvents, AutoCloseable {
  public static final String DATAPLANE_METADATA = "dataplane.resource";
  public static final String AGENT_VERSION_METADATA = "kodiak.dp.version";

  /**
   * The dataplane token travels in the node metadata, so every stream (not just the bootstrap) is
   * checked.
   */
  public static final String TOKEN_METADATA = "dataplane.token";

  private static final Logger LOG = LoggerFactory.getLogger(DataplaneLifecycle.class);

  private final ResourceManager manager;
  private final SnapshotSync sync;
  private final DataplaneInsights insights;
  private final Duration grace;

  /** Connects and deletions of one proxy are ordered under one of these, chosen by node id. */
  private final Object[] nodeLocks = Stream.generate(Object::new).limit(64).toArray();

  private final Optional<ProxyCredentials> tokens;
  private final ProxyPresence presence;
  private final Map<String, Long> owners = new ConcurrentHashMap<>(); // node id -> stream id
  private final Map<Long, NodeInfo> streams = new ConcurrentHashMap<>();

  /** The model each connected proxy was last admitted as (see {@link #admits}). */
  private final Map<String, ProxyModel> admitted = new ConcurrentHashMap<>();

  private volatile boolean stopping;
  private final ScheduledExecutorService deletions =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "dp-deregistration");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param tokens checks dataplane tokens; empty when proxy authentication is off (development)
   */
  public DataplaneLifecycle(
      ResourceManager manager,
      SnapshotSync sync,
      DataplaneInsights insights,
      Duration grace,
      Optional<ProxyCredentials> tokens) {
    this(manager, sync, insights, grace, tokens, ProxyPresence.ALONE);
  }

  /**
   * @param presence where replicas sharing the store record who holds which proxy
   */
  public DataplaneLifecycle(
      ResourceManager manager,
      SnapshotSync sync,
      DataplaneInsights insights,
      Duration grace,
      Optional<ProxyCredentials> tokens,
      ProxyPresence presence) {
    this.presence = presence;
    this.tokens = tokens;
    this.manager = manager;
    this.sync = sync;
    this.insights = insights;
    this.grace = grace;
  }

  /**
   * After a restart, agent-registered Dataplanes get the grace period to reconnect, counted from
   * this call: make it once the dp-server listens, so a slow start does not use up the grace before
   * any proxy could connect. Proxies that connect before it keep their Dataplanes too. Singleton
   * work: the returned stop cancels the deletions not begun yet (one in progress finishes).
   */
  public SingletonTask.Stop scheduleOrphanCleanup() {
    List<ScheduledFuture<?>> scheduled = new ArrayList<>();
    for (Resource dp :
        manager.store().list(ResourceCatalog.DATAPLANE, ListQuery.all(Optional.empty())).items()) {
      if (SnapshotSync.DIRECT.equals(dp.meta().labels().get(SnapshotSync.LIFECYCLE_LABEL))) {
        scheduled.add(scheduleDeletion(dp.mesh() + "." + dp.name(), dp.key()));
      }
    }
    return () -> scheduled.forEach(deletion -> deletion.cancel(false));
  }

  /**
   * The first half of admitting a proxy, before anything it sent is parsed: the token itself
   * (signature, mesh, expiry, revocation). When proxy authentication is off, everyone passes.
   */
  public Verification verifyToken(String token, String mesh) {
    return tokens.map(t -> t.verify(token, mesh)).orElse(Verified.UNCHECKED);
  }

  /**
   * The second half: why a verified token does not admit this Dataplane (its name, every inbound's
   * tags).
   */
  public static Optional<String> refusal(Verified token, Resource dataplane) {
    List<Map<String, String>> inbounds = new ArrayList<>();
    ProxyModels.fromDataplane(dataplane)
        .inbounds()
        .forEach(inbound -> inbounds.add(inbound.tags()));
    return token.refusalFor(dataplane.name(), inbounds);
  }

  /**
   * Both halves: why {@code token} does not admit this Dataplane's proxy, or empty when it does.
   */
  public Optional<String> authenticate(String token, Resource dataplane) {
    Verification verification = verifyToken(token, dataplane.mesh());
    return verification instanceof Verified verified
        ? refusal(verified, dataplane)
        : Optional.of(((Refused) verification).reason());
  }

  /**
   * Whether the connected proxy {@code nodeId} may be what {@code proxy} says (name, every
   * inbound's tags), by the token it connected with; asked before each generation. The answer is
   * kept per model, which stays the same object while its Dataplane does, so a signature is checked
   * again only when the Dataplane changes.
   */
  public boolean admits(String nodeId, ProxyModel proxy) {
    if (tokens.isEmpty() || admitted.get(nodeId) == proxy) {
      return true;
    }
    Long streamId = owners.get(nodeId);
    NodeInfo node = streamId == null ? null : streams.get(streamId);
    if (node == null) {
      return false; // not (or no longer) connected: nothing to send it
    }
    List<Map<String, String>> inbounds = new ArrayList<>();
    proxy.inbounds().forEach(inbound -> inbounds.add(inbound.tags()));
    Verification verification =
        verifyToken(node.metadata().getOrDefault(TOKEN_METADATA, ""), node.mesh());
    boolean ok =
        verification instanceof Verified verified
            && verified.refusalFor(proxy.name(), inbounds).isEmpty();
    if (ok) {
      admitted.put(nodeId, proxy);
    }
    return ok;
  }

  /** Whether proxies must present a dataplane token. */
  public boolean requiresTokens() {
    return tokens.isPresent();
  }

  /** The proxies connected now, by stream id (a snapshot). */
  public Map<Long, NodeInfo> connectedStreams() {
    return Map.copyOf(streams);
  }

  /**
   * The stream of the proxy {@code mesh.name} and what it said about itself, if it is connected.
   */
  public Optional<Map.Entry<Long, NodeInfo>> connection(String mesh, String name) {
    Long streamId = owners.get(mesh + "." + name);
    NodeInfo node = streamId == null ? null : streams.get(streamId);
    return node == null ? Optional.empty() : Optional.of(Map.entry(streamId, node));
  }

  /** Whether a live stream owns this proxy name. */
  public boolean isConnected(String mesh, String name) {
    return owners.containsKey(mesh + "." + name);
  }

  @Override
  public void onNodeConnected(long streamId, NodeInfo node) throws StreamRejectedException {
    if (node.mesh().isEmpty() || node.name().isEmpty()) {
      throw new StreamRejectedException("node id \"" + node.id() + "\" must be <mesh>.<name>");
    }
    Long previous;
    synchronized (lockOf(node.id())) { // a pending deletion either finished or sees this owner
      previous = owners.putIfAbsent(node.id(), streamId);
    }
    if (previous != null) {
      LOG.warn(
          "xds: refused a second stream for proxy {}: it is already connected (stream {})",
          node.id(),
          previous);
      throw new StreamRejectedException(
          "a proxy named \""
              + node.name()
              + "\" is already connected to mesh \""
              + node.mesh()
              + "\"; give this one another name");
    }
    // another replica holding this name is not checked here: it may be this very Envoy, moved
    // here before that replica noticed its stream was gone; a second agent of the name is
    // refused at bootstrap (BootstrapService)
    admitted.remove(node.id());
    streams.put(streamId, node); // first: a revocation while it registers finds it and closes it
    try {
      register(node); // authenticates before anything is stored
    } catch (StreamRejectedException e) {
      forgetRefused(streamId, node);
      LOG.warn("xds: refused proxy {}: {}", node.id(), e.getMessage());
      throw e;
    } catch (ValidationException | StoreException e) {
      forgetRefused(streamId, node);
      LOG.warn("xds: refused proxy {}: {}", node.id(), e.getMessage());
      throw new StreamRejectedException(
          "the Dataplane of proxy " + node.id() + " was refused: " + e.getMessage());
    } catch (RuntimeException e) {
      forgetRefused(streamId, node);
      LOG.error("xds: could not admit proxy {}: {}", node.id(), e.toString(), e);
      throw new StreamRejectedException(
          "the control plane could not admit proxy " + node.id() + "; see its log");
    }
    insights.connected(
        node.mesh(),
        node.name(),
        streamId,
        node.envoyVersion(),
        node.metadata().getOrDefault(AGENT_VERSION_METADATA, ""));
    sync.proxyConnected(
        node.mesh(), node.id(), ProxyKind.fromMetadata(node.metadata().get(ProxyKind.METADATA)));
    try {
      presence.connected(node.id());
    } catch (Exception e) {
      // the proxy is served; only another replica's cleanup could miss that it is here
      LOG.warn(
          "xds: could not record that this replica holds proxy {}: {}", node.id(), e.toString());
    }
    LOG.info(
        "xds: proxy {} connected (stream {}, Envoy {})", node.id(), streamId, node.envoyVersion());
  }

  /**
   * The other running replica holding the stream of proxy {@code mesh.name}, if one does. When that
   * cannot be read (the database is away), none: being served matters more than refusing a
   * duplicate.
   */
  public Optional<String> heldByAnotherReplica(String mesh, String name) {
    String nodeId = mesh + "." + name;
    try {
      return presence.heldElsewhere(nodeId);
    } catch (Exception e) {
      LOG.debug("xds: cannot tell whether another replica holds {}: {}", nodeId, e.toString());
      return Optional.empty();
    }
  }

  private void forgetRefused(long streamId, NodeInfo node) {
    streams.remove(streamId);
    owners.remove(node.id(), streamId);
  }

  @Override
  public void onAckOrNack(long streamId, String typeUrl, String nonce, String error) {
    if (error.isEmpty()) {
      insights.acked(streamId, typeUrl);
    } else {
      insights.nacked(streamId, typeUrl, error);
      NodeInfo node = streams.get(streamId);
      LOG.warn(
          "xds: proxy {} rejected {} (nonce {}): {}",
          node == null ? streamId : node.id(),
          typeUrl,
          nonce,
          error);
    }
  }

  @Override
  public void onResponse(
      long streamId, String typeUrl, String version, String nonce, int resources) {
    insights.responseSent(streamId, typeUrl);
  }

  @Override
  public void onStreamClosed(long streamId) {
    NodeInfo node = streams.remove(streamId);
    insights.disconnected(streamId);
    if (node != null) {
      admitted.remove(node.id());
    }
    if (stopping || node == null || !owners.remove(node.id(), streamId)) {
      return; // a stopping control plane closes every stream: those proxies are not leaving the
      // mesh
    }
    sync.proxyDisconnected(node.id());
    try {
      presence.disconnected(node.id());
    } catch (Exception e) {
      LOG.debug(
          "xds: could not record that proxy {} left this replica: {}", node.id(), e.toString());
    }
    LOG.info(
        "xds: proxy {} disconnected; a Dataplane its agent registered is removed in {} unless it"
            + " reconnects",
        node.id(),
        grace);
    scheduleDeletion(
        node.id(), ResourceKey.of(ResourceCatalog.DATAPLANE, node.mesh(), node.name()));
  }

  private void register(NodeInfo node) throws StreamRejectedException {
    Verification verification =
        verifyToken(node.metadata().getOrDefault(TOKEN_METADATA, ""), node.mesh());
    if (verification instanceof Refused refused) {
      throw new StreamRejectedException(
          refused.reason()); // before anything the proxy sent is parsed
    }
    Verified token = (Verified) verification;
    String text = node.metadata().get(DATAPLANE_METADATA);
    if (text == null || text.isBlank()) {
      Resource stored =
          manager
              .store()
              .get(ResourceKey.of(ResourceCatalog.DATAPLANE, node.mesh(), node.name()))
              .orElseThrow(
                  () ->
                      ValidationException.of(
                          "node.metadata",
                          "no Dataplane is stored for this proxy and it sent none"));
      rejectUnlessAdmitted(token, stored);
      return; // a Dataplane created through the API (delegated lifecycle)
    }
    JsonNode parsed = Documents.parse(text);
    if (!(parsed instanceof ObjectNode document)) {
      throw ValidationException.of(
          "node.metadata." + DATAPLANE_METADATA, "must be a Dataplane object");
    }
    document.put("mesh", node.mesh()).put("name", node.name());
    rejectUnlessAdmitted(token, manager.validate(document));
    ObjectNode labels = document.withObjectProperty("labels");
    labels.put(SnapshotSync.LIFECYCLE_LABEL, SnapshotSync.DIRECT);
    manager.put(
        ResourceCatalog.DATAPLANE, node.mesh(), node.name(), document, OptionalLong.empty());
  }

  private static void rejectUnlessAdmitted(Verified token, Resource dataplane)
      throws StreamRejectedException {
    Optional<String> refused = refusal(token, dataplane);
    if (refused.isPresent()) {
      throw new StreamRejectedException(refused.get());
    }
  }

  private ScheduledFuture<?> scheduleDeletion(String nodeId, ResourceKey key) {
    return deletions.schedule(
        () -> {
          // under the node's lock: a proxy reconnecting now must not register its Dataplane while
          // it
          // is being deleted (its update would find nothing and the stream would be refused)
          synchronized (lockOf(nodeId)) {
            if (owners.containsKey(nodeId)) {
              return; // it came back
            }
            if (!registeredByItsAgent(key)) {
              return; // written through the API or by the Pod controller: it stays until deleted
            }
            if (heldElsewhere(nodeId)) {
              return; // it moved to another replica
            }
            try {
              manager.delete(key);
              insights.forget(key.mesh(), key.name());
              LOG.info(
                  "xds: removed Dataplane {}: its proxy did not come back within {}", key, grace);
            } catch (ResourceNotFoundException e) {
              // already gone
            } catch (RuntimeException e) {
              LOG.error(
                  "xds: could not remove Dataplane {} of a departed proxy: {}", key, e.toString());
            }
          }
        },
        grace.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private boolean heldElsewhere(String nodeId) {
    try {
      Optional<String> holder = presence.heldElsewhere(nodeId);
      holder.ifPresent(
          replica ->
              LOG.info(
                  "xds: proxy {} is connected to replica {}: its Dataplane stays",
                  nodeId,
                  replica));
      return holder.isPresent();
    } catch (Exception e) {
      LOG.warn(
          "xds: kept the Dataplane of departed proxy {}: cannot tell whether another replica holds"
              + " it ({}); the next leader's cleanup looks again",
          nodeId,
          e.toString());
      return true;
    }
  }

  private boolean registeredByItsAgent(ResourceKey key) {
    return manager
        .store()
        .get(key)
        .map(dp -> SnapshotSync.DIRECT.equals(dp.meta().labels().get(SnapshotSync.LIFECYCLE_LABEL)))
        .orElse(false);
  }

  /** One of a few locks, chosen by node id: connects and deletions of one proxy are ordered. */
  private Object lockOf(String nodeId) {
    return nodeLocks[Math.floorMod(nodeId.hashCode(), nodeLocks.length)];
  }

  /**
   * Stops deregistering, before the dp-server closes the streams: their proxies come back to the
   * next control plane, so their endpoints stay in the mesh and their Dataplanes stay stored.
   */
  @Override
  public void close() {
    stopping = true;
    deletions.shutdownNow();
  }
}
