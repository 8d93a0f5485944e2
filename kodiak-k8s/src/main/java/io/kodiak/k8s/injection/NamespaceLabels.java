package io.kodiak.k8s.injection;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The labels of every namespace, from a watch, for the injector: it answers the API server at once,
 * without a read per Pod. Every replica runs one (any of them may be asked). Thread-safe.
 */
public final class NamespaceLabels implements AutoCloseable {
  private final SharedIndexInformer<Namespace> informer;

  public NamespaceLabels(KubernetesClient client) {
    informer = client.namespaces().runnableInformer(0);
    try {
      informer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      informer.close();
      throw new IllegalStateException(
          "cannot watch Namespaces (" + e + "): may this service account list and watch them?", e);
    }
  }

  /** The namespace's labels; none when it is unknown (yet). */
  public Map<String, String> of(String namespace) {
    Namespace ns = informer.getStore().getByKey(namespace);
    Map<String, String> labels = ns == null ? null : ns.getMetadata().getLabels();
    return labels == null ? Map.of() : Map.copyOf(labels);
  }

  @Override
  public void close() {
    informer.close();
  }
}
