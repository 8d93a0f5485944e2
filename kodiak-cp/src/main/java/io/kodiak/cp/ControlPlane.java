package io.kodiak.cp;

import io.kodiak.cp.api.ApiServer;
import io.kodiak.cp.api.Inspection;
import io.kodiak.cp.auth.AdminToken;
import io.kodiak.cp.config.ConfigLoader;
import io.kodiak.cp.config.CpConfig;
import io.kodiak.cp.datadir.DataDirectory;
import io.kodiak.cp.defaults.DefaultMesh;
import io.kodiak.cp.dpserver.AdmissionRecheck;
import io.kodiak.cp.dpserver.DataplaneLifecycle;
import io.kodiak.cp.dpserver.DpServer;
import io.kodiak.cp.dpserver.ProxyPresence;
import io.kodiak.cp.insights.ClusterInsights;
import io.kodiak.cp.insights.DataplaneInsights;
import io.kodiak.cp.insights.InsightsPublisher;
import io.kodiak.cp.insights.SharedInsights;
import io.kodiak.cp.kubernetes.KubernetesMode;
import io.kodiak.cp.leader.ElectedLeadership;
import io.kodiak.cp.leader.Leadership;
import io.kodiak.cp.leader.SingletonTask;
import io.kodiak.cp.metrics.ControlPlaneMetrics;
import io.kodiak.cp.metrics.DiagnosticsServer;
import io.kodiak.cp.metrics.HeapHeadroom;
import io.kodiak.cp.metrics.MeteredStore;
import io.kodiak.cp.metrics.XdsMetrics;
import io.kodiak.cp.mtls.MeshCertificates;
import io.kodiak.cp.resources.Capacity;
import io.kodiak.cp.resources.MeshFollowUp;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.cp.resources.Validators;
import io.kodiak.cp.tls.ControlPlaneTls;
import io.kodiak.cp.tokens.DataplaneTokens;
import io.kodiak.cp.tokens.ProxyCredentials;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.policy.PolicyModules;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.store.embedded.EmbeddedResourceStore;
import io.kodiak.store.memory.InMemoryResourceStore;
import io.kodiak.store.postgres.PostgresInsights;
import io.kodiak.store.postgres.PostgresLeaderLock;
import io.kodiak.store.postgres.PostgresOptions;
import io.kodiak.store.postgres.PostgresProxyPresence;
import io.kodiak.store.postgres.PostgresResourceStore;
import io.kodiak.xds.generate.ProxyConfigGenerator;
import io.kodiak.xds.server.NodeInfo;
import io.kodiak.xds.server.StreamEvents;
import io.kodiak.xds.server.StreamRejectedException;
import io.kodiak.xds.server.XdsServer;
import io.kodiak.xds.sync.SnapshotSync;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires and runs the control-plane components; {@link #close} stops them in reverse order. */
public final class ControlPlane implements AutoCloseable {
  public static final String VERSION = "0.1.0";

  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

  private final ResourceStore store;
  private final ApiServer api;
  private final DpServer dpServer;
  private final SnapshotSync sync;
  private final DataplaneLifecycle lifecycle;
  private final AdmissionRecheck recheck;
  private final DataplaneInsights insights;
  private final Optional<InsightsPublisher> insightsPublisher;
  private final DiagnosticsServer diagnostics;
  private final MeshCertificates certificates;

  private final Optional<HeapHeadroom> headroom;
  private final Optional<MeshFollowUp> meshFollowUp;
  private final Leadership leadership;
  private final Optional<KubernetesMode> kubernetes;

  private ControlPlane(
      ResourceStore store,
      ApiServer api,
      DpServer dpServer,
      SnapshotSync sync,
      DataplaneLifecycle lifecycle,
      AdmissionRecheck recheck,
      DataplaneInsights insights,
      Optional<InsightsPublisher> insightsPublisher,
      MeshCertificates certificates,
      DiagnosticsServer diagnostics,
      Optional<HeapHeadroom> headroom,
      Optional<MeshFollowUp> meshFollowUp,
      Leadership leadership,
      Optional<KubernetesMode> kubernetes) {
    this.leadership = leadership;
    this.kubernetes = kubernetes;
    this.recheck = recheck;
    this.headroom = headroom;
    this.meshFollowUp = meshFollowUp;
    this.diagnostics = diagnostics;
    this.store = store;
    this.api = api;
    this.dpServer = dpServer;
    this.sync = sync;
    this.lifecycle = lifecycle;
    this.insights = insights;
    this.insightsPublisher = insightsPublisher;
    this.certificates = certificates;
  }

  /** Starts a control plane with {@code config}; returns once the API answers. */
  public static ControlPlane start(CpConfig config) {
    return start(config, DataDirectory.Recovery.REFUSE);
  }

  /**
   * Starts a control plane with {@code config}; returns once the API answers.
   *
   * @param recovery what to do when the data directory was used before and is damaged
   * @throws io.kodiak.cp.datadir.DamagedDataDirectoryException when it is and {@code recovery}
   *     refuses
   */
  public static ControlPlane start(CpConfig config, DataDirectory.Recovery recovery) {
    long started = System.nanoTime();
    var tree = ConfigLoader.toTree(config);
    LOG.info("effective configuration: {}", tree);
    privateDirectory(config.dataPath());
    DataDirectory dataDir = DataDirectory.check(config, recovery);
    PrometheusMeterRegistry metrics = ControlPlaneMetrics.create();
    DiagnosticsServer diagnostics = new DiagnosticsServer(config.diagnostics(), metrics);
    Optional<KubernetesMode> kubernetes = KubernetesMode.of(config);
    ResourceStore opened = openStore(config, kubernetes);
    ResourceStore store = new MeteredStore(opened, metrics);
    String host = hostname();
    String instanceId = host + "-" + UUID.randomUUID().toString().substring(0, 4);
    ProxyPresence presence =
        opened instanceof PostgresResourceStore postgres
            ? postgresPresence(postgres.presence(instanceId))
            : ProxyPresence.ALONE;
    Leadership leadership =
        kubernetes
            .map(k -> k.leadership(instanceId))
            .orElseGet(() -> universalLeadership(config, instanceId));
    try {
      Optional<HeapHeadroom> headroom =
          HeapHeadroom.watch(
              metrics,
              () ->
                  ResourceCatalog.all().stream()
                      .mapToInt(t -> store.count(t, Optional.empty()))
                      .sum(),
              HeapHeadroom.Levels.DEFAULT);
      ResourceManager manager =
          new ResourceManager(
              store, new Validators(), headroom.<Capacity>map(h -> h).orElse(Capacity.UNLIMITED));
      AdminToken token =
          config.store().type() == CpConfig.StoreType.postgres // one token for every replica
              ? AdminToken.shared(
                  config.dataPath(), value -> manager.settingIfAbsent("admin-token", value))
              : AdminToken.loadOrCreate(config.dataPath());
      Gauge.builder("kodiak_leader", leadership, l -> l.isLeader() ? 1 : 0)
          .description("1 while this replica runs the singleton work (defaults, CAs, cleanup)")
          .register(metrics);
      // Singleton work: in Universal mode it runs here, in this order; in Kubernetes mode on the
      // replica holding the Lease, in this order, whenever it becomes the leader.
      if (!config.defaults().skipMeshCreation()) {
        leadership.whileLeader(
            "the default mesh", SingletonTask.once(() -> DefaultMesh.ensure(manager)));
      }
      Optional<MeshFollowUp> meshFollowUp =
          config.store().type() == CpConfig.StoreType.kubernetes // kubectl writes Meshes there
              ? Optional.of(new MeshFollowUp(manager))
              : Optional.empty();
      meshFollowUp.ifPresent(store::addListener);
      meshFollowUp.ifPresent(followUp -> leadership.whileLeader("mesh follow-up", followUp));
      leadership.whileLeader( // before any proxy connects: generation only reads CAs
          "missing mesh CAs",
          SingletonTask.once(() -> manager.createMissingMeshCas(leadership::isLeader)));
      kubernetes.ifPresent(k -> k.runPodController(leadership, store, manager));
      String clusterId = // replicas starting together agree on the first one stored
          manager
              .setting("cluster-id")
              .orElseGet(() -> manager.settingIfAbsent("cluster-id", UUID.randomUUID().toString()));
      DataplaneInsights insights = new DataplaneInsights(Clock.systemUTC(), instanceId);
      SharedInsights sharedInsights =
          opened instanceof PostgresResourceStore postgres
              ? postgresInsights(postgres.insights(instanceId))
              : SharedInsights.NONE;
      Optional<InsightsPublisher> insightsPublisher =
          sharedInsights == SharedInsights.NONE
              ? Optional.empty()
              : Optional.of(new InsightsPublisher(insights, sharedInsights));
      EventsRelay relay = new EventsRelay();
      XdsMetrics xdsMetrics = new XdsMetrics(relay, metrics);
      XdsServer xds = new XdsServer(xdsMetrics);
      MeshCertificates certificates = new MeshCertificates(store, Clock.systemUTC());
      SnapshotSync sync =
          new SnapshotSync(
              store,
              xds,
              config.xds().debounceDuration(),
              new ProxyConfigGenerator(PolicyModules.plugins()),
              certificates);
      certificates.renewThrough(sync);
      sync.onPublished(xdsMetrics);
      metrics.gauge("kodiak_workload_certificates", certificates, MeshCertificates::issuedCount);
      FunctionCounter.builder(
              "kodiak_workload_certificates_issued", certificates, MeshCertificates::issuedTotal)
          .description("Workload certificates issued since start, renewals included")
          .register(metrics);
      Gauge.builder(
              "kodiak_workload_certificate_soonest_expiry_seconds",
              certificates,
              MeshCertificates::secondsToSoonestExpiry)
          .description(
              "Seconds until the soonest-expiring workload certificate expires (renewed at 80 % of its life)")
          .register(metrics);
      DataplaneTokens tokens = new DataplaneTokens(manager, Clock.systemUTC());
      DataplaneLifecycle lifecycle =
          new DataplaneLifecycle(
              manager,
              sync,
              insights,
              config.dpServer().grace(),
              proxyCredentials(config.proxyAuth(), tokens, kubernetes),
              presence);
      if (config.proxyAuth() == CpConfig.DpAuth.none) {
        LOG.warn(
            "dp-server: proxy authentication is OFF (dpServer.auth: none): any process can claim any proxy");
      }
      relay.delegate = lifecycle;
      sync.admitOnly(
          lifecycle::admits); // no config or certificate for what a proxy's token does not allow
      AdmissionRecheck recheck = new AdmissionRecheck(lifecycle, store, xds::closeStream);
      store.addListener(recheck);
      var dpTls = config.dpServer().tls();
      Optional<ControlPlaneTls> tls =
          dpTls.enabled()
              ? Optional.of(
                  ControlPlaneTls.loadOrCreate(
                      config.dataPath(), dpTls.certFile(), dpTls.keyFile(), dpTls.caFile()))
              : Optional.empty();
      if (tls.isEmpty()) {
        LOG.warn(
            "dp-server: TLS is OFF (dpServer.tls.enabled: false): proxies cannot tell this control plane from an impostor");
      }
      DpServer dpServer = new DpServer(config.dpServer(), xds, manager, lifecycle, tls);
      dpServer.start();
      // the grace for proxies to come back starts now that they can
      leadership.whileLeader("orphan Dataplane cleanup", lifecycle::scheduleOrphanCleanup);
      ApiServer api =
          new ApiServer(
              config,
              manager,
              token,
              new ApiServer.Identity(host, VERSION, instanceId, clusterId),
              tree,
              new Inspection(
                  sync,
                  new ClusterInsights(insights, sharedInsights, Clock.systemUTC()),
                  lifecycle,
                  tokens),
              tls,
              kubernetes.map(k -> k.webhooks(manager, tls)).orElse(Map.of()));
      api.start();
      dataDir.recordStarted();
      diagnostics.markReady();
      LOG.info(
          "control plane ready: REST API on {}:{}, dp-server on {}:{}, metrics on {}:{}/metrics (store: {}, "
              + "data: {}) in {} ms",
          config.apiServer().http().interfaceAddress(),
          api.port(),
          config.dpServer().interfaceAddress(),
          dpServer.port(),
          config.diagnostics().interfaceAddress(),
          diagnostics.port(),
          config.store().type(),
          config.dataPath(),
          (System.nanoTime() - started) / 1_000_000);
      return new ControlPlane(
          store,
          api,
          dpServer,
          sync,
          lifecycle,
          recheck,
          insights,
          insightsPublisher,
          certificates,
          diagnostics,
          headroom,
          meshFollowUp,
          leadership,
          kubernetes);
    } catch (RuntimeException e) {
      diagnostics.close();
      leadership.close();
      store.close();
      kubernetes.ifPresent(KubernetesMode::close);
      throw e;
    }
  }

  public int apiPort() {
    return api.port();
  }

  /** The REST API's TLS port (also the admission webhook's, in Kubernetes mode). */
  public int apiHttpsPort() {
    return api.httpsPort();
  }

  public ResourceStore store() {
    return store;
  }

  /** The diagnostics port: /metrics, /ready, /healthy. */
  public int diagnosticsPort() {
    return diagnostics.port();
  }

  public int dpServerPort() {
    return dpServer.port();
  }

  /** Generation counters, for tests that check nothing is regenerated without a change. */
  public SnapshotSync.Stats xdsStats() {
    return sync.stats();
  }

  public DataplaneInsights insights() {
    return insights;
  }

  @Override
  public void close() {
    diagnostics.close();
    leadership.close(); // first: the other replica takes over while this one stops
    api.close();
    lifecycle.close(); // first: the streams the dp-server closes now are no proxies leaving
    dpServer.close();
    insightsPublisher.ifPresent(
        InsightsPublisher::close); // the streams just closed, for the others
    recheck.close();
    sync.close();
    certificates.close();
    meshFollowUp.ifPresent(MeshFollowUp::close);
    store.close();
    kubernetes.ifPresent(KubernetesMode::close);
    headroom.ifPresent(HeapHeadroom::close);
    LOG.info("control plane stopped");
  }

  /** Breaks the construction cycle between the xDS server and the lifecycle that observes it. */
  private static final class EventsRelay implements StreamEvents {
    volatile StreamEvents delegate;

    @Override
    public void onNodeConnected(long streamId, NodeInfo node) throws StreamRejectedException {
      delegate.onNodeConnected(streamId, node);
    }

    @Override
    public void onAckOrNack(long streamId, String typeUrl, String nonce, String error) {
      delegate.onAckOrNack(streamId, typeUrl, nonce, error);
    }

    @Override
    public void onResponse(
        long streamId, String typeUrl, String version, String nonce, int resources) {
      delegate.onResponse(streamId, typeUrl, version, nonce, resources);
    }

    @Override
    public void onStreamClosed(long streamId) {
      delegate.onStreamClosed(streamId);
    }
  }

  private static ResourceStore openStore(CpConfig config, Optional<KubernetesMode> kubernetes) {
    return switch (config.store().type()) {
      case embedded ->
          new EmbeddedResourceStore(
              config.dataPath().resolve("store.db"),
              config.store().embedded().sync(),
              Clock.systemUTC());
      case memory -> new InMemoryResourceStore(Clock.systemUTC());
      case postgres ->
          new PostgresResourceStore(config.store().postgres().options(), Clock.systemUTC());
      case kubernetes -> kubernetes.orElseThrow().store();
    };
  }

  private static SharedInsights postgresInsights(PostgresInsights db) {
    return new SharedInsights() {
      @Override
      public void write(Map<String, String> jsonByNode, Set<String> deleted) throws SQLException {
        for (String nodeId : deleted) { // first: a proxy deleted and back since keeps its new row
          db.forget(nodeId);
        }
        db.write(jsonByNode);
      }

      @Override
      public List<Remote> others(Collection<String> nodeIds) throws SQLException {
        return db.others(nodeIds).stream()
            .map(
                r -> new Remote(r.nodeId(), r.replica(), r.json(), r.updatedAt(), r.replicaAlive()))
            .toList();
      }
    };
  }

  private static ProxyPresence postgresPresence(PostgresProxyPresence db) {
    return new ProxyPresence() {
      @Override
      public void connected(String nodeId) throws SQLException {
        db.connected(nodeId);
      }

      @Override
      public void disconnected(String nodeId) throws SQLException {
        db.disconnected(nodeId);
      }

      @Override
      public Optional<String> heldElsewhere(String nodeId) throws SQLException {
        return db.heldElsewhere(nodeId);
      }
    };
  }

  /**
   * Universal mode: replicas on one PostgreSQL database elect their leader with its lock; a control
   * plane with a store of its own leads alone.
   */
  private static Leadership universalLeadership(CpConfig config, String instanceId) {
    if (config.store().type() != CpConfig.StoreType.postgres) {
      return Leadership.always();
    }
    PostgresOptions options = config.store().postgres().options();
    return ElectedLeadership.join(
        Duration.ofSeconds(2),
        candidate ->
            PostgresLeaderLock.join(
                options,
                instanceId,
                new PostgresLeaderLock.Candidate() {
                  @Override
                  public void elected() {
                    candidate.elected();
                  }

                  @Override
                  public void deposed() {
                    candidate.deposed();
                  }
                }));
  }

  private static Optional<ProxyCredentials> proxyCredentials(
      CpConfig.DpAuth auth, DataplaneTokens tokens, Optional<KubernetesMode> kubernetes) {
    return switch (auth) {
      case dpToken -> Optional.of(tokens);
      case serviceAccountToken -> Optional.of(kubernetes.orElseThrow().serviceAccountTokens());
      case none -> Optional.empty();
      case auto -> throw new IllegalArgumentException("auto is resolved by CpConfig.proxyAuth");
    };
  }

  /**
   * The data directory holds the store (with Secrets) and the admin token: only its owner may
   * enter.
   */
  private static void privateDirectory(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException | UnsupportedOperationException e) {
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
