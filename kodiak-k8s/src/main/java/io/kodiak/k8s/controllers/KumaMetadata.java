package io.kodiak.k8s.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Optional;

/**
 * The labels and annotations Kuma users put on Namespaces, Pods and Services (Kuma's names, so the
 * same manifests work), and the ones Kodiak sets on what it creates.
 */
final class KumaMetadata {
  /** Namespace or Pod label: {@code enabled} meshes the Pods (the injector acts on it). */
  static final String SIDECAR_INJECTION = "kuma.io/sidecar-injection";

  /** Pod annotation the injector sets: the Pod runs a sidecar, so it gets a Dataplane. */
  static final String SIDECAR_INJECTED = "kuma.io/sidecar-injected";

  /** Pod or Namespace label (or annotation, as older Kuma had it): the Pod's mesh. */
  static final String MESH = "kuma.io/mesh";

  /** Pod annotation: the Envoy admin port (sidecars sharing a host need different ones). */
  static final String ENVOY_ADMIN_PORT = "kuma.io/envoy-admin-port";

  /** Pod annotation: the only services (kuma.io/service values, comma-separated) it calls. */
  static final String REACHABLE_SERVICES = "kuma.io/transparent-proxying-reachable-services";

  /**
   * Pod annotation the injector sets: {@code enabled} when its init container redirects traffic.
   */
  static final String TRANSPARENT_PROXYING = "kuma.io/transparent-proxying";

  /** Pod annotation: the port inbound traffic is redirected to. */
  static final String TRANSPARENT_PROXYING_INBOUND_PORT =
      "kuma.io/transparent-proxying-inbound-port";

  /** Pod annotation: the port the workload's outbound traffic is redirected to. */
  static final String TRANSPARENT_PROXYING_OUTBOUND_PORT =
      "kuma.io/transparent-proxying-outbound-port";

  /** Service annotation {@code <port>.service.kuma.io/protocol}: the port's protocol. */
  static final String PROTOCOL_ANNOTATION_SUFFIX = ".service.kuma.io/protocol";

  /** Tags every inbound of a Pod carries, besides the Pod's own labels. */
  static final String SERVICE_TAG = "kuma.io/service";

  static final String PROTOCOL_TAG = "kuma.io/protocol";
  static final String NAMESPACE_TAG = "k8s.kuma.io/namespace";
  static final String SERVICE_NAME_TAG = "k8s.kuma.io/service-name";
  static final String SERVICE_PORT_TAG = "k8s.kuma.io/service-port";

  /** Label on the Dataplanes the Pod controller writes (also Kuma's): it owns them. */
  static final String PROXY_TYPE_LABEL = "kuma.io/proxy-type";

  static final String SIDECAR = "sidecar";

  private KumaMetadata() {}

  /** The object's label {@code key}, else its annotation {@code key}. */
  static Optional<String> labelOrAnnotation(HasMetadata object, String key) {
    return value(object.getMetadata().getLabels(), key)
        .or(() -> value(object.getMetadata().getAnnotations(), key));
  }

  static Optional<String> annotation(HasMetadata object, String key) {
    return value(object.getMetadata().getAnnotations(), key);
  }

  static Optional<String> label(HasMetadata object, String key) {
    return value(object.getMetadata().getLabels(), key);
  }

  private static Optional<String> value(Map<String, String> map, String key) {
    return map == null ? Optional.empty() : Optional.ofNullable(map.get(key));
  }
}
