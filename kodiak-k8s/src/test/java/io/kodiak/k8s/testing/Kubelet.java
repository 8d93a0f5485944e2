package io.kodiak.k8s.testing;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.authentication.BoundObjectReference;
import io.fabric8.kubernetes.api.model.authentication.BoundObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/**
 * What a kubelet and a user would do to Pods and Services, for a cluster that has no kubelet:
 * create them through the API and write a Pod's status (its IP and readiness).
 */
public final class Kubelet {
  /** The annotation Kodiak's injector puts on the Pods it gave a sidecar. */
  public static final Map<String, String> INJECTED = Map.of("kuma.io/sidecar-injected", "true");

  private final KubeApiServer api;
  private final KubernetesClient client;

  public Kubelet(KubeApiServer api) {
    this.api = api;
    this.client = api.client();
  }

  /** A namespace labelled for sidecar injection, with {@code labels} too (say, its mesh). */
  public void createMeshedNamespace(String name, Map<String, String> labels) {
    api.createNamespace(name);
    client
        .namespaces()
        .withName(name)
        .edit(
            n ->
                new NamespaceBuilder(n)
                    .editMetadata()
                    .addToLabels("kuma.io/sidecar-injection", "enabled")
                    .addToLabels(labels)
                    .endMetadata()
                    .build());
  }

  /** A Pod with one container exposing {@code ports} (name to number), not yet running. */
  public Pod createPod(
      String namespace,
      String name,
      Map<String, String> labels,
      Map<String, String> annotations,
      Map<String, Integer> ports) {
    return createPod(namespace, name, labels, annotations, ports, null, null);
  }

  /** Like the other, its container with these readiness and liveness probes (null: none). */
  public Pod createPod(
      String namespace,
      String name,
      Map<String, String> labels,
      Map<String, String> annotations,
      Map<String, Integer> ports,
      Probe readiness,
      Probe liveness) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(labels)
            .withAnnotations(annotations)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("example/app:1")
            .withPorts(
                ports.entrySet().stream()
                    .map(
                        p ->
                            new ContainerPortBuilder()
                                .withName(p.getKey())
                                .withContainerPort(p.getValue())
                                .build())
                    .toList())
            .withReadinessProbe(readiness)
            .withLivenessProbe(liveness)
            .endContainer()
            .endSpec()
            .build();
    return client.pods().inNamespace(namespace).resource(pod).create();
  }

  /** Writes the Pod's status as a kubelet would: Running at {@code ip}, ready or not. */
  public void run(String namespace, String name, String ip, boolean ready) {
    client
        .pods()
        .inNamespace(namespace)
        .withName(name)
        .editStatus(
            pod ->
                new PodBuilder(pod)
                    .editOrNewStatus()
                    .withPhase("Running")
                    .withPodIP(ip)
                    .withConditions(
                        new PodConditionBuilder()
                            .withType("Ready")
                            .withStatus(ready ? "True" : "False")
                            .build())
                    .endStatus()
                    .build());
  }

  /** A ClusterIP Service selecting {@code selector}, one port reaching {@code targetPort}. */
  public Service createService(
      String namespace,
      String name,
      Map<String, String> selector,
      int port,
      IntOrString targetPort,
      String appProtocol) {
    Service service =
        new ServiceBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .withNewSpec()
            .withSelector(selector)
            .withPorts(
                List.of(
                    new ServicePortBuilder()
                        .withName("main")
                        .withPort(port)
                        .withTargetPort(targetPort)
                        .withAppProtocol(appProtocol)
                        .build()))
            .endSpec()
            .build();
    return client.services().inNamespace(namespace).resource(service).create();
  }

  /**
   * The token a kubelet projects into the Pod: its service account's, bound to the Pod (so the API
   * server names the Pod when it reviews it, and refuses it once the Pod is gone).
   */
  public String podToken(String namespace, String name) {
    Pod pod = client.pods().inNamespace(namespace).withName(name).get();
    return serviceAccountToken(
        namespace,
        new BoundObjectReferenceBuilder()
            .withKind("Pod")
            .withApiVersion("v1")
            .withName(name)
            .withUid(pod.getMetadata().getUid())
            .build());
  }

  /** A token of the namespace's {@code default} service account bound to no object. */
  public String unboundToken(String namespace) {
    return serviceAccountToken(namespace, null);
  }

  private String serviceAccountToken(String namespace, BoundObjectReference boundTo) {
    return client
        .serviceAccounts()
        .inNamespace(namespace)
        .withName("default")
        .tokenRequest(
            new TokenRequestBuilder()
                .withNewSpec()
                .withBoundObjectRef(boundTo)
                .withExpirationSeconds(3600L)
                .endSpec()
                .build())
        .getStatus()
        .getToken();
  }

  public void deletePod(String namespace, String name) {
    client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
  }
}
