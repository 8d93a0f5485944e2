package io.kodiak.cp.kubernetes;

import com.linecorp.armeria.server.HttpService;
import io.kodiak.cp.config.CpConfig;
import io.kodiak.cp.leader.ElectedLeadership;
import io.kodiak.cp.leader.Leadership;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.cp.tls.ControlPlaneTls;
import io.kodiak.cp.tokens.ProxyCredentials;
import io.kodiak.k8s.KubernetesCluster;
import io.kodiak.k8s.controllers.PodDataplaneController;
import io.kodiak.k8s.injection.NamespaceLabels;
import io.kodiak.k8s.injection.SidecarInjection;
import io.kodiak.k8s.injection.SidecarSettings;
import io.kodiak.k8s.leader.LeaseSettings;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.store.api.ResourceStore;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The control plane's Kubernetes mode ({@code store.type: kubernetes}): its store, its leader
 * election, the Pod controller as singleton work, service-account identity and the admission
 * webhooks, all on one connection to the API server. {@link #close} after the store is closed. Not
 * thread-safe: the control plane wires it on one thread.
 */
public final class KubernetesMode implements AutoCloseable {
  /** The Lease replicas on one Kubernetes API server compete for, in the system namespace. */
  static final String LEADER_LEASE = "kodiak-cp-leader";

  private final KubernetesCluster cluster;
  private final CpConfig config;
  private final List<AutoCloseable> started = new ArrayList<>();

  private KubernetesMode(KubernetesCluster cluster, CpConfig config) {
    this.cluster = cluster;
    this.config = config;
  }

  /** Kubernetes mode when the configuration asks for it. */
  public static Optional<KubernetesMode> of(CpConfig config) {
    if (config.store().type() != CpConfig.StoreType.kubernetes) {
      return Optional.empty();
    }
    String kubeconfig = config.store().kubernetes().kubeconfig();
    try {
      return Optional.of(new KubernetesMode(KubernetesCluster.connect(kubeconfig), config));
    } catch (IOException e) {
      throw ValidationException.of(
          "store.kubernetes.kubeconfig", "cannot read " + kubeconfig + ": " + e.getMessage());
    }
  }

  public ResourceStore store() {
    return cluster.store(config.store().kubernetes().systemNamespace(), Clock.systemUTC());
  }

  /** The replica holding the Lease leads. */
  public Leadership leadership(String instanceId) {
    CpConfig.LeaderElection timing = config.store().kubernetes().leaderElection();
    LeaseSettings lease =
        new LeaseSettings(
            config.store().kubernetes().systemNamespace(),
            LEADER_LEASE,
            instanceId,
            timing.lease(),
            timing.renew(),
            timing.retry());
    return ElectedLeadership.join(timing.retry(), candidate -> cluster.elect(lease, candidate));
  }

  /** Keeps a Dataplane per meshed Pod whenever this replica leads. */
  public void runPodController(
      Leadership leadership, ResourceStore store, ResourceManager manager) {
    PodDataplaneController controller =
        cluster.podController(store, new ManagedDataplaneWrites(manager));
    started.add(controller);
    leadership.whileLeader(
        "Pod controller",
        () -> {
          controller.start();
          return controller::stop;
        });
  }

  /** A sidecar's credential: its Pod's service-account token. */
  public ProxyCredentials serviceAccountTokens() {
    return new PodServiceAccountTokens(cluster.tokenReviews(Clock.systemUTC()));
  }

  /** The admission webhooks, served on the API's TLS port (by every replica). */
  public Map<String, HttpService> webhooks(ResourceManager manager, Optional<ControlPlaneTls> tls) {
    NamespaceLabels labels = cluster.namespaceLabels();
    started.add(labels);
    String systemNamespace = config.store().kubernetes().systemNamespace();
    CpConfig.Injector injector = config.kubernetes().injector();
    String address =
        injector.controlPlaneAddress().isEmpty()
            ? "https://kodiak-control-plane." + systemNamespace + ".svc:5678"
            : injector.controlPlaneAddress();
    SidecarSettings sidecar =
        new SidecarSettings(
            injector.sidecarImage(), address, tls.map(ControlPlaneTls::caPem).orElse(""));
    return Map.of(
        AdmissionWebhook.PATH,
        new AdmissionWebhook(manager, systemNamespace),
        SidecarInjectionWebhook.PATH,
        new SidecarInjectionWebhook(new SidecarInjection(sidecar), labels::of));
  }

  @Override
  public void close() {
    for (AutoCloseable part : started) {
      try {
        part.close();
      } catch (Exception e) {
        // closing watches: nothing to do about a failure at shutdown
      }
    }
    cluster.close();
  }
}
