package io.kodiak.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kodiak.k8s.controllers.DataplaneWrites;
import io.kodiak.k8s.controllers.PodDataplaneController;
import io.kodiak.k8s.identity.PodTokenReviews;
import io.kodiak.k8s.injection.NamespaceLabels;
import io.kodiak.k8s.leader.Candidate;
import io.kodiak.k8s.leader.LeaseElection;
import io.kodiak.k8s.leader.LeaseSettings;
import io.kodiak.k8s.store.KubernetesResourceStore;
import io.kodiak.store.api.ResourceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * One connection to a Kubernetes API server, and the parts of Kubernetes mode built on it: the
 * store, the Pod controller, the injector's namespace labels, token reviews, the leader election.
 * They share one client (one connection pool), closed with this. The rest of Kodiak sees these
 * types only, never the client library. Thread-safe.
 */
public final class KubernetesCluster implements AutoCloseable {
  private final KubernetesClient client;

  private KubernetesCluster(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Connects with {@code kubeconfig}, or when it is empty as the client library finds it:
   * KUBECONFIG, ~/.kube/config, then the Pod's service account.
   *
   * @throws IOException when the kubeconfig file cannot be read
   */
  public static KubernetesCluster connect(String kubeconfig) throws IOException {
    Config config =
        kubeconfig.isEmpty()
            ? Config.autoConfigure(null)
            : Config.fromKubeconfig(Files.readString(Path.of(kubeconfig)));
    return new KubernetesCluster(new KubernetesClientBuilder().withConfig(config).build());
  }

  public KubernetesResourceStore store(String systemNamespace, Clock clock) {
    return new KubernetesResourceStore(client, systemNamespace, clock);
  }

  public PodDataplaneController podController(ResourceStore store, DataplaneWrites writes) {
    return new PodDataplaneController(client, store, writes);
  }

  public NamespaceLabels namespaceLabels() {
    return new NamespaceLabels(client);
  }

  public PodTokenReviews tokenReviews(Clock clock) {
    return new PodTokenReviews(client, clock);
  }

  public LeaseElection elect(LeaseSettings lease, Candidate candidate) {
    return LeaseElection.start(client, lease, candidate);
  }

  @Override
  public void close() {
    client.close();
  }
}
