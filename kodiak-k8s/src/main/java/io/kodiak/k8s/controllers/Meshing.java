package io.kodiak.k8s.controllers;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Which Pods and Services are in which mesh, by Kuma's labels and annotations. Stateless. */
final class Meshing {
  static final String DEFAULT_MESH = "default";

  private Meshing() {}

  /** A Pod the injector gave a sidecar (Kuma marks it so); only those get a Dataplane. */
  static boolean isMeshed(Pod pod) {
    return "true".equals(KumaMetadata.annotation(pod, KumaMetadata.SIDECAR_INJECTED).orElse(""));
  }

  /** Whether the Pod has an address and has not completed. */
  static boolean isRunning(Pod pod) {
    if (pod.getStatus() == null) {
      return false;
    }
    String ip = pod.getStatus().getPodIP();
    String phase = pod.getStatus().getPhase();
    return ip != null && !ip.isEmpty() && !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  /** The Pod's {@code kuma.io/mesh}, else its Namespace's, else {@code default}. */
  static String meshOf(Pod pod, Namespace namespace) {
    return KumaMetadata.labelOrAnnotation(pod, KumaMetadata.MESH)
        .or(
            () ->
                namespace == null
                    ? Optional.empty()
                    : KumaMetadata.labelOrAnnotation(namespace, KumaMetadata.MESH))
        .orElse(DEFAULT_MESH);
  }

  /** A Namespace whose Pods get sidecars. */
  static boolean isMeshed(Namespace namespace) {
    return namespace != null
        && "enabled"
            .equals(KumaMetadata.label(namespace, KumaMetadata.SIDECAR_INJECTION).orElse(""));
  }

  /**
   * The Service ports callers in {@code mesh} reach through their outbounds: those of Services with
   * a cluster IP and a selector, in meshed Namespaces of that mesh; sorted by name.
   */
  static List<MeshService> services(
      String mesh, Collection<Service> services, Function<String, Namespace> namespaces) {
    List<MeshService> result = new ArrayList<>();
    for (Service service : services) {
      String clusterIp = service.getSpec().getClusterIP();
      var selector = service.getSpec().getSelector();
      if (clusterIp == null
          || clusterIp.isEmpty()
          || "None".equals(clusterIp)
          || selector == null
          || selector.isEmpty()) {
        continue; // headless, external or selector-less: no address of its own to proxy
      }
      String namespace = service.getMetadata().getNamespace();
      Namespace ns = namespaces.apply(namespace);
      if (!isMeshed(ns) || !mesh.equals(namespaceMesh(ns))) {
        continue;
      }
      for (ServicePort port : service.getSpec().getPorts()) {
        if (port.getProtocol() == null || "TCP".equals(port.getProtocol())) {
          result.add(
              new MeshService(
                  service.getMetadata().getName() + "_" + namespace + "_svc_" + port.getPort(),
                  clusterIp,
                  port.getPort()));
        }
      }
    }
    result.sort(Comparator.comparing(MeshService::name));
    return result;
  }

  private static String namespaceMesh(Namespace namespace) {
    return KumaMetadata.labelOrAnnotation(namespace, KumaMetadata.MESH).orElse(DEFAULT_MESH);
  }
}
