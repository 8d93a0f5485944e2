package io.kodiak.cp.mtls;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.ca.CertificateAuthority;
import io.kodiak.ca.IssuedCertificate;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.validation.Durations;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.ProxyIdentity;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.sync.IdentitySource;
import io.kodiak.xds.sync.SnapshotSync;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mesh mTLS for the xDS sync: which CAs a mesh trusts (all its backends, so a CA rotation keeps
 * both roots trusted while proxies switch) and each proxy's SPIFFE workload certificate, issued by
 * the enabled backend, kept in memory only while the proxy is connected, and renewed at 80 % of its
 * lifetime by a one-shot wake-up (a proxy no longer connected, or no longer admitted, is not
 * generated and so gets none). It never writes to the store: a builtin CA is created by {@code
 * ResourceManager} when the Mesh is written, and one that is missing leaves the mesh's proxies
 * without a certificate until it exists. The mTLS phases come from {@link MtlsPhases}. Thread-safe.
 */
public final class MeshCertificates implements IdentitySource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MeshCertificates.class);
  private static final Duration DEFAULT_LIFETIME = Duration.ofHours(24);

  /**
   * How long each mTLS phase lasts ({@link MtlsPhases}): after the enabled CA changes, proxies keep
   * their old (still trusted, still valid) certificate this long, and turning mTLS on moves one
   * step per grace.
   */
  static final Duration ROTATION_GRACE = Duration.ofSeconds(3);

  private final ResourceStore store;
  private final Clock clock;
  private final CaSecrets cas;
  private final MtlsPhases phases;
  private final Map<String, Issued> issued = new ConcurrentHashMap<>(); // by node id
  private final LongAdder issuedTotal = new LongAdder();
  private final ScheduledExecutorService renewals =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "cert-renewal");
            t.setDaemon(true);
            return t;
          });
  private volatile Consumer<Renewal> onRenewal = r -> {};

  /**
   * Reads CAs from {@code store} and follows its Mesh changes for the mTLS phases; never writes to
   * it.
   */
  public MeshCertificates(ResourceStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.cas = new CaSecrets(store);
    this.phases = new MtlsPhases(store, ROTATION_GRACE);
  }

  /** Renewals regenerate the proxy's config through the sync. */
  public void renewThrough(SnapshotSync sync) {
    onRenewal = r -> sync.refresh(r.mesh(), Set.of(r.proxy()));
    phases.onPhaseChange(sync::refreshMesh);
  }

  @Override
  public Optional<MeshMtls> mtls(String mesh) {
    Optional<Resource> meshResource = store.get(ResourceKey.of(ResourceCatalog.MESH, "", mesh));
    if (meshResource.isEmpty()) {
      return Optional.empty();
    }
    JsonNode mtls = meshResource.get().spec().path("mtls");
    String enabled = mtls.path("enabledBackend").asText("");
    if (enabled.isEmpty()) {
      return Optional.empty();
    }
    List<String> roots = new ArrayList<>();
    MeshMtls.Mode mode = MeshMtls.Mode.STRICT;
    for (JsonNode backend : mtls.path("backends")) {
      boolean isEnabled = backend.path("name").asText().equals(enabled);
      if (isEnabled) {
        mode =
            backend.path("mode").asText("STRICT").equals("PERMISSIVE")
                ? MeshMtls.Mode.PERMISSIVE
                : MeshMtls.Mode.STRICT;
      }
      try {
        // every backend's CA that exists is trusted, so a rotation keeps both roots; none is
        // created here
        Optional<CertificateAuthority> ca =
            isEnabled ? cas.ofEnabled(mesh, backend) : cas.of(mesh, backend);
        ca.ifPresent(c -> roots.add(c.certificatePem()));
      } catch (RuntimeException e) {
        LOG.error(
            "mtls: the CA of backend {} in mesh {} is unusable: {}",
            backend.path("name").asText(),
            mesh,
            e.getMessage());
      }
    }
    MtlsPhases.Enabling enabling = phases.enabling(mesh);
    MeshMtls.Outbound outbound =
        enabling == MtlsPhases.Enabling.SERVERS_FIRST
            ? MeshMtls.Outbound.PLAINTEXT
            : MeshMtls.Outbound.MUTUAL_TLS;
    if (enabling != MtlsPhases.Enabling.DONE) {
      mode = MeshMtls.Mode.PERMISSIVE;
    }
    return Optional.of(new MeshMtls(mesh, mode, roots, outbound));
  }

  @Override
  public Optional<ProxyIdentity> identity(MeshMtls mtls, ProxyModel proxy) {
    Optional<EnabledCa> enabledCa = enabledCa(mtls.mesh());
    if (enabledCa.isEmpty()) {
      return Optional.empty();
    }
    JsonNode backend = enabledCa.get().backend();
    String enabled = backend.path("name").asText();
    CertificateAuthority ca = enabledCa.get().ca();
    String nodeId = proxy.nodeId();
    String spiffe = mtls.spiffeId(proxy.primaryService());
    List<String> tagUris = tagUris(proxy);
    String caPem = ca.certificatePem();
    if (!mtls.trustedRootsPem().contains(caPem)) {
      // the snapshot was built before this CA existed (its secret is being written): a certificate
      // from it would go out beside a trust bundle without its root; the secret's change event
      // rebuilds the mesh with it
      return Optional.empty();
    }
    Instant now = clock.instant();
    Issued current = issued.get(nodeId);
    if (current != null
        && !current.caPem().equals(caPem)
        && mtls.trustedRootsPem().contains(current.caPem())
        && now.isBefore(current.certificate().notAfter())
        && phases.inRotationGrace(mtls.mesh())) {
      // the phase machine regenerates the mesh when the grace ends; this proxy switches then
      return Optional.of(
          new ProxyIdentity(
              current.certificate().certificatePem() + current.caPem(),
              current.certificate().keyPem()));
    }
    if (current == null
        || !current.caPem().equals(caPem)
        || !current.spiffe().equals(spiffe)
        || !current.tagUris().equals(tagUris)
        || !now.isBefore(current.certificate().renewAt())) {
      Duration lifetime =
          Durations.parse(backend.path("dpCert").path("rotation").path("expiration").asText(""))
              .filter(d -> !d.isZero() && !d.isNegative())
              .orElse(DEFAULT_LIFETIME);
      IssuedCertificate certificate = ca.issue(spiffe, tagUris, lifetime, now);
      current = new Issued(certificate, caPem, spiffe, tagUris);
      issued.put(nodeId, current);
      issuedTotal.increment();
      LOG.info(
          "mtls: issued {} to proxy {} (backend {}, valid until {})",
          spiffe,
          nodeId,
          enabled,
          certificate.notAfter());
      long delay = Math.max(0, Duration.between(now, certificate.renewAt()).toMillis());
      Renewal renewal = new Renewal(mtls.mesh(), proxy.name());
      renewals.schedule(() -> onRenewal.accept(renewal), delay, TimeUnit.MILLISECONDS);
    }
    return Optional.of(
        new ProxyIdentity(
            current.certificate().certificatePem() + caPem, current.certificate().keyPem()));
  }

  /**
   * The certificate the proxy holds now, else a placeholder (key and certificate empty) when one
   * could be issued: inspection shows listeners and clusters, which name the SDS secret, not its
   * content. Never issues, renews or records a certificate.
   */
  @Override
  public Optional<ProxyIdentity> preview(MeshMtls mtls, ProxyModel proxy) {
    if (enabledCa(mtls.mesh()).isEmpty()) {
      return Optional.empty();
    }
    Issued current = issued.get(proxy.nodeId());
    return Optional.of(
        current == null
            ? new ProxyIdentity("", "")
            : new ProxyIdentity(
                current.certificate().certificatePem() + current.caPem(),
                current.certificate().keyPem()));
  }

  /** The enabled backend of the mesh and its CA, when both exist; creates nothing. */
  private Optional<EnabledCa> enabledCa(String mesh) {
    Optional<Resource> meshResource = store.get(ResourceKey.of(ResourceCatalog.MESH, "", mesh));
    if (meshResource.isEmpty()) {
      return Optional.empty();
    }
    JsonNode mtlsSpec = meshResource.get().spec().path("mtls");
    String enabled = mtlsSpec.path("enabledBackend").asText("");
    JsonNode backend = null;
    for (JsonNode b : mtlsSpec.path("backends")) {
      if (b.path("name").asText().equals(enabled)) {
        backend = b;
      }
    }
    if (backend == null) {
      return Optional.empty();
    }
    JsonNode found = backend;
    return cas.ofEnabled(mesh, backend).map(ca -> new EnabledCa(found, ca));
  }

  /**
   * Seconds until the soonest workload certificate expires (negative: one has expired); NaN with
   * none.
   */
  public double secondsToSoonestExpiry() {
    return issued.values().stream()
        .map(i -> i.certificate().notAfter())
        .min(Instant::compareTo)
        .map(t -> (double) Duration.between(clock.instant(), t).toSeconds())
        .orElse(Double.NaN);
  }

  /**
   * How many workload certificates this control plane holds (one per connected proxy with mTLS).
   */
  public int issuedCount() {
    return issued.size();
  }

  /**
   * How many workload certificates this control plane has issued since it started, renewals
   * included.
   */
  public long issuedTotal() {
    return issuedTotal.sum();
  }

  /**
   * Forgets a departed proxy's certificate (its stream closed: it left, or its token was revoked).
   */
  @Override
  public void forget(String nodeId) {
    issued.remove(nodeId);
  }

  @Override
  public void close() {
    renewals.shutdownNow();
    phases.close();
  }

  private static List<String> tagUris(ProxyModel proxy) {
    Set<String> uris = new TreeSet<>();
    for (Inbound inbound : proxy.inbounds()) {
      inbound.tags().forEach((k, v) -> uris.add("kuma://" + k + "/" + v));
    }
    return List.copyOf(uris);
  }

  private record Issued(
      IssuedCertificate certificate, String caPem, String spiffe, List<String> tagUris) {}

  private record Renewal(String mesh, String proxy) {}

  private record EnabledCa(JsonNode backend, CertificateAuthority ca) {}
}
