package io.kodiak.k8s.controllers;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.kodiak.model.codec.Documents;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kuma's rules for the Dataplane of a Pod: one inbound per port of each Service that selects the
 * Pod (tagged {@code <service>_<namespace>_svc_<port>}, the Pod's labels, its namespace and the
 * port's protocol), ready when the Pod is; a Pod no Service selects gets one ignored inbound that
 * still names its workload, so it has an identity but receives nothing; outbounds are the mesh's
 * services (or those the Pod's reachable-services annotation names); a Pod the injector set up for
 * transparent proxying names its redirect ports. A pure function of its inputs. Stateless.
 */
final class PodConversion {
  /** The port of the inbound of a Pod no Service selects (Kuma's reserved port). */
  static final int SERVICELESS_PORT = 49151;

  private static final Set<String> PROTOCOLS = Set.of("http", "http2", "grpc", "tcp", "kafka");

  private PodConversion() {}

  /** The Dataplane a meshed Pod with an IP gets. */
  static DesiredDataplane dataplane(
      Pod pod, String mesh, List<Service> servicesInNamespace, List<MeshService> meshServices) {
    String namespace = pod.getMetadata().getNamespace();
    boolean ready = isReady(pod);
    ArrayNode inbounds = Documents.JSON.createArrayNode();
    for (Service service : servicesInNamespace) {
      if (selects(service, pod)) {
        addInbounds(inbounds, pod, service, ready);
      }
    }
    if (inbounds.isEmpty()) {
      Map<String, String> tags = podTags(pod);
      tags.put(KumaMetadata.SERVICE_TAG, workloadName(pod) + "_" + namespace + "_svc");
      ObjectNode inbound = inbounds.addObject();
      inbound.put("port", SERVICELESS_PORT);
      inbound.putObject("health").put("ready", false);
      inbound.put("state", "Ignored");
      inbound.set("tags", Documents.JSON.valueToTree(tags));
    }
    ObjectNode networking = Documents.JSON.createObjectNode();
    networking.put("address", pod.getStatus().getPodIP());
    networking.set("inbound", inbounds);
    ArrayNode outbounds = outbounds(pod, meshServices);
    if (!outbounds.isEmpty()) {
      networking.set("outbound", outbounds);
    }
    adminPort(pod, networking);
    transparentProxying(pod, networking);
    return new DesiredDataplane(
        mesh,
        pod.getMetadata().getName() + "." + namespace,
        Map.of(
            KumaMetadata.NAMESPACE_TAG,
            namespace,
            KumaMetadata.PROXY_TYPE_LABEL,
            KumaMetadata.SIDECAR),
        networking);
  }

  /** A Service selects a Pod when it has a selector and the Pod carries all of it. */
  static boolean selects(Service service, Pod pod) {
    Map<String, String> selector = service.getSpec().getSelector();
    Map<String, String> labels = pod.getMetadata().getLabels();
    return selector != null
        && !selector.isEmpty()
        && labels != null
        && labels.entrySet().containsAll(selector.entrySet());
  }

  /** Ready when the Pod's Ready condition is true and it is not being deleted. */
  static boolean isReady(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null) {
      return false;
    }
    List<PodCondition> conditions = pod.getStatus().getConditions();
    return conditions != null
        && conditions.stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The name of the workload a Pod belongs to: its Deployment's, its owner's, or its own. */
  static String workloadName(Pod pod) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    if (owners == null || owners.isEmpty()) {
      return pod.getMetadata().getName();
    }
    OwnerReference owner = owners.get(0);
    String hash =
        KumaMetadata.label(pod, "pod-template-hash").orElse(""); // a Deployment's ReplicaSet
    if ("ReplicaSet".equals(owner.getKind())
        && !hash.isEmpty()
        && owner.getName().endsWith("-" + hash)) {
      return owner.getName().substring(0, owner.getName().length() - hash.length() - 1);
    }
    return owner.getName();
  }

  private static void addInbounds(ArrayNode inbounds, Pod pod, Service service, boolean ready) {
    String namespace = pod.getMetadata().getNamespace();
    for (ServicePort port : service.getSpec().getPorts()) {
      if (port.getProtocol() != null && !"TCP".equals(port.getProtocol())) {
        continue; // Envoy sidecars carry TCP only
      }
      OptionalInt target = targetPort(pod, port);
      if (target.isEmpty()) {
        continue; // a named port this Pod does not have: the Service does not reach it
      }
      Map<String, String> tags = podTags(pod);
      tags.put(
          KumaMetadata.SERVICE_TAG,
          service.getMetadata().getName() + "_" + namespace + "_svc_" + port.getPort());
      tags.put(KumaMetadata.NAMESPACE_TAG, namespace);
      tags.put(KumaMetadata.SERVICE_NAME_TAG, service.getMetadata().getName());
      tags.put(KumaMetadata.SERVICE_PORT_TAG, String.valueOf(port.getPort()));
      tags.put(KumaMetadata.PROTOCOL_TAG, protocol(service, port));
      ObjectNode inbound = inbounds.addObject();
      inbound.put("port", target.getAsInt());
      inbound.putObject("health").put("ready", ready);
      inbound.put("state", ready ? "Ready" : "NotReady");
      inbound.set("tags", Documents.JSON.valueToTree(tags));
    }
  }

  /** The container port a Service port reaches on this Pod: a number, or a port's name. */
  private static OptionalInt targetPort(Pod pod, ServicePort port) {
    IntOrString target = port.getTargetPort();
    if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
      return OptionalInt.of(port.getPort()); // Kubernetes' default: the same number
    }
    if (target.getIntVal() != null) {
      return OptionalInt.of(target.getIntVal());
    }
    for (var container : pod.getSpec().getContainers()) {
      if (container.getPorts() == null) {
        continue;
      }
      for (ContainerPort cp : container.getPorts()) {
        if (target.getStrVal().equals(cp.getName())) {
          return OptionalInt.of(cp.getContainerPort());
        }
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The port's {@code appProtocol}, else the Service's {@code <port>.service.kuma.io/protocol}
   * annotation, else TCP; a value Kuma does not know is TCP.
   */
  static String protocol(Service service, ServicePort port) {
    String value = port.getAppProtocol();
    if (value == null) {
      value =
          KumaMetadata.annotation(service, port.getPort() + KumaMetadata.PROTOCOL_ANNOTATION_SUFFIX)
              .orElse("tcp");
    }
    value = value.toLowerCase(Locale.ROOT);
    if (value.equals("kubernetes.io/h2c")) {
      return "http2";
    }
    return PROTOCOLS.contains(value) ? value : "tcp";
  }

  /** The Pod's labels as tags, but Kuma's own (injection, mesh) which are settings, not tags. */
  private static Map<String, String> podTags(Pod pod) {
    Map<String, String> tags = new TreeMap<>();
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels != null) {
      labels.forEach(
          (key, value) -> {
            if (!key.startsWith("kuma.io/")) {
              tags.put(key, value);
            }
          });
    }
    return tags;
  }

  private static ArrayNode outbounds(Pod pod, List<MeshService> meshServices) {
    Optional<Set<String>> reachable =
        KumaMetadata.annotation(pod, KumaMetadata.REACHABLE_SERVICES)
            .map(
                list -> {
                  Set<String> names = new HashSet<>();
                  for (String name : list.split(",")) {
                    if (!name.isBlank()) {
                      names.add(name.trim());
                    }
                  }
                  return names;
                });
    List<MeshService> chosen = new ArrayList<>();
    for (MeshService service : meshServices) {
      if (reachable.isEmpty() || reachable.get().contains(service.name())) {
        chosen.add(service);
      }
    }
    ArrayNode outbounds = Documents.JSON.createArrayNode();
    for (MeshService service : chosen) {
      ObjectNode outbound = outbounds.addObject();
      outbound.put("address", service.address());
      outbound.put("port", service.port());
      outbound.putObject("tags").put(KumaMetadata.SERVICE_TAG, service.name());
    }
    return outbounds;
  }

  /**
   * The redirect ports of a Pod whose init container set up transparent proxying (the injector
   * marks it {@code kuma.io/transparent-proxying: enabled}); a port that is not a number is left as
   * given for the Dataplane's validation to refuse.
   */
  private static void transparentProxying(Pod pod, ObjectNode networking) {
    if (!"enabled"
        .equals(KumaMetadata.annotation(pod, KumaMetadata.TRANSPARENT_PROXYING).orElse(""))) {
      return;
    }
    ObjectNode proxying = networking.putObject("transparentProxying");
    port(
        proxying,
        "redirectPortInbound",
        pod,
        KumaMetadata.TRANSPARENT_PROXYING_INBOUND_PORT,
        15006);
    port(
        proxying,
        "redirectPortOutbound",
        pod,
        KumaMetadata.TRANSPARENT_PROXYING_OUTBOUND_PORT,
        15001);
  }

  private static void port(
      ObjectNode into, String field, Pod pod, String annotation, int fallback) {
    String value = KumaMetadata.annotation(pod, annotation).orElse(String.valueOf(fallback)).trim();
    try {
      into.put(field, Integer.parseInt(value));
    } catch (NumberFormatException e) {
      into.put(field, value);
    }
  }

  /**
   * The Pod's admin-port annotation, as a number when it is one; otherwise as given, so the
   * Dataplane's validation refuses it and says which field (the controller logs it with the Pod).
   */
  private static void adminPort(Pod pod, ObjectNode networking) {
    KumaMetadata.annotation(pod, KumaMetadata.ENVOY_ADMIN_PORT)
        .ifPresent(
            value -> {
              ObjectNode admin = networking.putObject("admin");
              try {
                admin.put("port", Integer.parseInt(value.trim()));
              } catch (NumberFormatException e) {
                admin.put("port", value);
              }
            });
  }
}
