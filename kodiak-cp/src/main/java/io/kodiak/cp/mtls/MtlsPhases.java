package io.kodiak.cp.mtls;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.store.api.ChangeKind;
import io.kodiak.store.api.ChangeListener;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceChange;
import io.kodiak.store.api.ResourceStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The phase of each mesh's mTLS, driven by Mesh changes and its own timers, never by readers.
 * Turning mTLS on goes through two phases one grace apart (servers accept TLS and plaintext while
 * clients stay plaintext; then clients originate TLS while servers stay permissive; then the
 * backend's mode applies), so no request meets a server that cannot take it. Switching the enabled
 * backend (a CA rotation) opens one grace during which proxies keep their still-trusted
 * certificate, so every proxy receives the new root before anyone presents a certificate from it.
 * Meshes found at start, created with mTLS on, or turned off have no phase.
 *
 * <p>Thread-safety: writers (the store listener, on the writing thread, and the timers, on this
 * class's one scheduler thread) are serialized by this object's lock, and a timer moves the phase
 * before it asks for the regeneration; readers (generation, inspect) only read concurrent maps,
 * without locking, and never schedule anything.
 */
final class MtlsPhases implements ChangeListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MtlsPhases.class);

  /** Where turning mTLS on stands. */
  enum Enabling {
    /** Servers accept TLS and plaintext; clients still send plaintext. */
    SERVERS_FIRST,
    /** Clients originate TLS; servers still accept plaintext. */
    CLIENTS_SWITCHED,
    /** Nothing under way: the backend's mode applies. */
    DONE
  }

  /** One step of turning mTLS on; {@code token} tells one turning-on from a later one. */
  private record Step(Enabling enabling, long token) {}

  private final Duration grace;
  private final ResourceStore store;
  private final Map<String, String> backends =
      new ConcurrentHashMap<>(); // mesh -> enabledBackend(); "" when off
  private final Map<String, Step> enablings = new ConcurrentHashMap<>(); // present while turning on
  private final Map<String, Long> rotations =
      new ConcurrentHashMap<>(); // present while a rotation grace is open
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "mtls-phases");
            t.setDaemon(true);
            return t;
          });
  private volatile Consumer<String> onPhaseChange = mesh -> {};
  private long tokens; // guarded by this

  /**
   * Listens to {@code store}'s Mesh and CA Secret changes and takes every stored mesh as it is (no
   * phase).
   */
  MtlsPhases(ResourceStore store, Duration grace) {
    this.store = store;
    this.grace = grace;
    store.addListener(this); // first, so no change slips between the listing and the listening
    for (Resource mesh :
        store.list(ResourceCatalog.MESH, ListQuery.all(Optional.empty())).items()) {
      backends.putIfAbsent(mesh.name(), enabledBackend(mesh));
    }
  }

  /** Told the mesh's name each time a timer moves its phase, to regenerate its proxies. */
  void onPhaseChange(Consumer<String> listener) {
    onPhaseChange = listener;
  }

  Enabling enabling(String mesh) {
    Step step = enablings.get(mesh);
    return step == null ? Enabling.DONE : step.enabling();
  }

  /**
   * Whether proxies of {@code mesh} keep a still-trusted certificate of the CA it switched from.
   */
  boolean inRotationGrace(String mesh) {
    return rotations.containsKey(mesh);
  }

  @Override
  public synchronized void onChange(ResourceChange change) {
    Resource mesh = change.resource();
    if (mesh.type() == ResourceCatalog.SECRET) {
      caSecretChanged(change);
      return;
    }
    if (mesh.type() != ResourceCatalog.MESH) {
      return;
    }
    String name = mesh.name();
    String after = change.kind() == ChangeKind.DELETED ? "" : enabledBackend(mesh);
    String before =
        change.kind() == ChangeKind.DELETED ? backends.remove(name) : backends.put(name, after);
    if (after.isEmpty()) {
      enablings.remove(name); // turned off (or gone): nothing to phase
      rotations.remove(name);
    } else if (before == null) {
      return; // a new mesh: no proxy of it to protect
    } else if (before.isEmpty()) {
      startEnabling(name);
    } else if (!before.equals(after)) {
      openRotationGrace(name);
    }
  }

  /**
   * The enabled CA's certificate written anew without a change of the Mesh (a provided CA's secret
   * replaced, a builtin one restored): the same grace as a backend switch, so proxies keep their
   * still-trusted certificates until every peer trusts the new root.
   */
  private void caSecretChanged(ResourceChange change) {
    String mesh = change.resource().mesh();
    String seen = backends.get(mesh); // "<name> <type> <conf>" of the enabled backend
    if (change.kind() == ChangeKind.DELETED || seen == null || seen.isEmpty()) {
      return;
    }
    String enabled = seen.split(" ", 2)[0];
    String secret = change.resource().name();
    boolean enabledCa =
        secret.equals(mesh + ".ca-builtin-cert-" + enabled)
            || store
                .get(ResourceKey.of(ResourceCatalog.MESH, "", mesh))
                .map(m -> providedCertSecret(m, enabled).equals(secret))
                .orElse(false);
    if (enabledCa) {
      openRotationGrace(mesh);
    }
  }

  /** The Secret holding a provided backend's certificate; empty when it is not one. */
  private static String providedCertSecret(Resource mesh, String backend) {
    for (JsonNode b : mesh.spec().path("mtls").path("backends")) {
      if (b.path("name").asText().equals(backend) && b.path("type").asText().equals("provided")) {
        return b.path("conf").path("cert").path("secret").asText("");
      }
    }
    return "";
  }

  @Override
  public void close() {
    timers.shutdownNow();
  }

  private void startEnabling(String mesh) {
    Step step = new Step(Enabling.SERVERS_FIRST, ++tokens);
    enablings.put(mesh, step);
    advanceAfterGrace(mesh, step);
    LOG.info(
        "mtls: turned on in mesh {}: servers accept TLS now, clients originate it in {}, mode applies in {}",
        mesh,
        grace,
        grace.multipliedBy(2));
  }

  /**
   * SERVERS_FIRST -> CLIENTS_SWITCHED -> DONE, one grace apart, unless a later change replaced
   * {@code from}.
   */
  private void advanceAfterGrace(String mesh, Step from) {
    afterGrace(
        mesh,
        () -> {
          if (!from.equals(enablings.get(mesh))) {
            return false;
          }
          if (from.enabling() == Enabling.SERVERS_FIRST) {
            Step next = new Step(Enabling.CLIENTS_SWITCHED, ++tokens);
            enablings.put(mesh, next);
            advanceAfterGrace(mesh, next);
          } else {
            enablings.remove(mesh);
          }
          return true;
        });
  }

  private void openRotationGrace(String mesh) {
    long token = ++tokens;
    rotations.put(mesh, token);
    afterGrace(mesh, () -> rotations.remove(mesh, token));
    LOG.info(
        "mtls: the enabled CA of mesh {} changed: proxies keep their current certificate for {} while "
            + "the new root reaches every proxy",
        mesh,
        grace);
  }

  /**
   * Runs {@code move} under this lock one grace from now; regenerates the mesh when it moved a
   * phase.
   */
  private void afterGrace(String mesh, BooleanSupplier move) {
    timers.schedule(
        () -> {
          boolean moved;
          synchronized (this) {
            moved = move.getAsBoolean();
          }
          if (moved) {
            onPhaseChange.accept(mesh);
          }
        },
        grace.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** The enabled backend with what makes its CA (name, type, conf); empty when mTLS is off. */
  private static String enabledBackend(Resource mesh) {
    JsonNode mtls = mesh.spec().path("mtls");
    String enabled = mtls.path("enabledBackend").asText("");
    for (JsonNode backend : mtls.path("backends")) {
      if (!enabled.isEmpty() && backend.path("name").asText().equals(enabled)) {
        return enabled + " " + backend.path("type").asText("builtin") + " " + backend.path("conf");
      }
    }
    return enabled; // names no backend: validation refuses it, but keep on/off right
  }
}
