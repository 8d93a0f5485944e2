package io.kodiak.k8s.injection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.text.Printable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kuma's injection rules on a Pod being created, as JSON patches: a Pod gets the sidecar when it is
 * labelled {@code kuma.io/sidecar-injection: enabled}, or its namespace is and the Pod does not say
 * {@code disabled}. The sidecar is {@code kodiak-dp run} for the Dataplane the Pod controller
 * writes ({@code <pod>.<namespace>}), proving who it is with the Pod's own service-account token,
 * trusting the control plane's CA; resources come from Kuma's {@code
 * kuma.io/sidecar-proxy-{cpu,memory}-{requests,limits}} annotations. The Pod is marked {@code
 * kuma.io/sidecar-injected: "true"}, which is what makes the controller give it a Dataplane. A Pod
 * already injected is left alone. Stateless.
 *
 * <p>An init container, last so the Pod's other init containers are not redirected to a sidecar
 * that does not run yet, sets up transparent proxying ({@code kodiakctl install transparent-proxy}
 * as root with NET_ADMIN): the Pod is annotated {@code kuma.io/transparent-proxying: enabled} with
 * its redirect ports, which the Pod controller puts in its Dataplane. Kuma's {@code
 * traffic.kuma.io/exclude-inbound-ports} and {@code exclude-outbound-ports} annotations pass
 * through; the sidecar's readiness port is never redirected, so the kubelet's probe reaches it.
 */
public final class SidecarInjection {
  private static final Logger LOG = LoggerFactory.getLogger(SidecarInjection.class);
  public static final String CONTAINER = "kodiak-sidecar";
  public static final String INIT_CONTAINER = "kodiak-init";
  static final int INBOUND_REDIRECT_PORT = 15006;
  static final int OUTBOUND_REDIRECT_PORT = 15001;
  static final String TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
  static final int DEFAULT_ADMIN_PORT = 9901;
  static final int READINESS_PORT = 9902;
  private static final String TMP_VOLUME = "kodiak-sidecar-tmp";
  private static final String INIT_RUN_VOLUME = "kodiak-init-run";
  private static final long SIDECAR_UID = 5678; // Kuma's: iptables rules tell its traffic apart

  private final SidecarSettings settings;

  public SidecarInjection(SidecarSettings settings) {
    this.settings = settings;
  }

  /** Whether the Pod is to get a sidecar, by its and its namespace's labels. */
  static boolean wanted(JsonNode pod, Map<String, String> namespaceLabels) {
    String own = setting(pod, "kuma.io/sidecar-injection").orElse("");
    if (own.equals("enabled")) {
      return true;
    }
    return "enabled".equals(namespaceLabels.get("kuma.io/sidecar-injection"))
        && !own.equals("disabled");
  }

  /** The JSON patch that injects the sidecar, or empty when the Pod is not to get one. */
  public Optional<ArrayNode> patch(JsonNode pod, Map<String, String> namespaceLabels) {
    if (!wanted(pod, namespaceLabels) || alreadyInjected(pod)) {
      return Optional.empty();
    }
    if (pod.path("spec").path("hostNetwork").asBoolean(false)) {
      // its init container's nat rules would be the node's: every connection of the node
      // (kubelet's included) sent to a sidecar
      LOG.info(
          "sidecar injection: Pod {}/{} left without a sidecar: it uses the host's network",
          Printable.escaped(pod.path("metadata").path("namespace").asText(), Printable.ECHO_LIMIT),
          Printable.escaped(
              pod.path("metadata")
                  .path("name")
                  .asText(pod.path("metadata").path("generateName").asText()),
              Printable.ECHO_LIMIT));
      return Optional.empty();
    }
    JsonNode annotations = pod.path("metadata").path("annotations");
    checkPortAnnotations(annotations);
    ArrayNode patch = Documents.JSON.createArrayNode();
    if (!annotations.isObject()) {
      patch.addObject().put("op", "add").put("path", "/metadata/annotations").putObject("value");
    }
    annotate(patch, "kuma.io/sidecar-injected", "true");
    int adminPort = DEFAULT_ADMIN_PORT;
    JsonNode givenPort = annotations.path("kuma.io/envoy-admin-port");
    if (givenPort.isTextual()) {
      try {
        adminPort = Integer.parseInt(givenPort.asText().trim());
      } catch (NumberFormatException e) {
        // the Pod controller refuses the Dataplane and says why
      }
    } else {
      annotate(patch, "kuma.io/envoy-admin-port", String.valueOf(adminPort));
    }
    int inboundPort = givenPort(annotations, "kuma.io/transparent-proxying-inbound-port");
    int outboundPort = givenPort(annotations, "kuma.io/transparent-proxying-outbound-port");
    annotate(patch, "kuma.io/transparent-proxying", "enabled");
    if (inboundPort == 0) {
      inboundPort = INBOUND_REDIRECT_PORT;
      annotate(patch, "kuma.io/transparent-proxying-inbound-port", String.valueOf(inboundPort));
    }
    if (outboundPort == 0) {
      outboundPort = OUTBOUND_REDIRECT_PORT;
      annotate(patch, "kuma.io/transparent-proxying-outbound-port", String.valueOf(outboundPort));
    }
    int probePort = ApplicationProbes.DEFAULT_PORT;
    JsonNode givenProbePort = annotations.path(ApplicationProbes.PORT_ANNOTATION);
    if (givenProbePort.isTextual()) {
      probePort = Integer.parseInt(givenProbePort.asText().trim()); // checked above
    }
    List<String> probes =
        probePort == 0 ? List.of() : ApplicationProbes.rewrite(pod, probePort, patch);
    if (!pod.path("spec").path("initContainers").isArray()) {
      patch.addObject().put("op", "add").put("path", "/spec/initContainers").putArray("value");
    }
    patch
        .addObject()
        .put("op", "add")
        .put("path", "/spec/initContainers/-")
        .set("value", initContainer(annotations, inboundPort, outboundPort, probePort));
    if (!pod.path("spec").path("volumes").isArray()) {
      patch.addObject().put("op", "add").put("path", "/spec/volumes").putArray("value");
    }
    ObjectNode tmp =
        patch.addObject().put("op", "add").put("path", "/spec/volumes/-").putObject("value");
    tmp.put("name", TMP_VOLUME).putObject("emptyDir");
    patch
        .addObject()
        .put("op", "add")
        .put("path", "/spec/volumes/-")
        .putObject("value")
        .put("name", INIT_RUN_VOLUME)
        .putObject("emptyDir");
    patch
        .addObject()
        .put("op", "add")
        .put("path", "/spec/containers/-")
        .set("value", container(pod, namespaceLabels, adminPort, probePort, probes));
    return Optional.of(patch);
  }

  private ObjectNode container(
      JsonNode pod,
      Map<String, String> namespaceLabels,
      int adminPort,
      int probePort,
      List<String> probes) {
    String mesh =
        setting(pod, "kuma.io/mesh")
            .orElse(namespaceLabels.getOrDefault("kuma.io/mesh", "default"));
    ObjectNode container = Documents.JSON.createObjectNode();
    container.put("name", CONTAINER);
    container.put("image", settings.image());
    ArrayNode args = container.putArray("args");
    args.add("run")
        .add("--cp-address=" + settings.controlPlaneAddress())
        .add("--name=$(POD_NAME).$(POD_NAMESPACE)")
        .add("--mesh=" + mesh)
        .add("--admin-port=" + adminPort)
        .add("--readiness-port=" + READINESS_PORT)
        .add("--readiness-address=0.0.0.0") // the kubelet probes the Pod IP
        .add("--application-probe-proxy-port=" + probePort)
        .add("--dataplane-token-file=" + TOKEN_DIR + "/token");
    probes.forEach(probe -> args.add("--application-probe=" + probe));
    ArrayNode env = container.putArray("env");
    env.addObject()
        .put("name", "POD_NAME")
        .putObject("valueFrom")
        .putObject("fieldRef")
        .put("fieldPath", "metadata.name");
    env.addObject()
        .put("name", "POD_NAMESPACE")
        .putObject("valueFrom")
        .putObject("fieldRef")
        .put("fieldPath", "metadata.namespace");
    env.addObject()
        .put("name", "KODIAK_CONTROL_PLANE_CA_CERT")
        .put("value", settings.caCertificatePem());
    ObjectNode probe = container.putObject("readinessProbe");
    probe.putObject("httpGet").put("path", "/ready").put("port", READINESS_PORT);
    probe.put("periodSeconds", 5);
    ObjectNode resources = container.putObject("resources");
    resources
        .putObject("requests")
        .put("cpu", annotation(pod, "kuma.io/sidecar-proxy-cpu-requests", "50m"))
        .put("memory", annotation(pod, "kuma.io/sidecar-proxy-memory-requests", "64Mi"));
    resources
        .putObject("limits")
        .put("cpu", annotation(pod, "kuma.io/sidecar-proxy-cpu-limits", "1000m"))
        .put("memory", annotation(pod, "kuma.io/sidecar-proxy-memory-limits", "512Mi"));
    ObjectNode security = container.putObject("securityContext");
    security.put("runAsUser", SIDECAR_UID).put("runAsGroup", SIDECAR_UID);
    security.put("runAsNonRoot", true).put("readOnlyRootFilesystem", true);
    security.put("allowPrivilegeEscalation", false);
    security.putObject("capabilities").putArray("drop").add("ALL");
    ArrayNode mounts = container.putArray("volumeMounts");
    mounts.addObject().put("name", TMP_VOLUME).put("mountPath", "/tmp");
    tokenMount(pod).ifPresent(mounts::add);
    return container;
  }

  /** Redirects the Pod's TCP traffic to the sidecar's Envoy, but the sidecar's own. */
  private ObjectNode initContainer(
      JsonNode annotations, int inboundPort, int outboundPort, int probePort) {
    ObjectNode container = Documents.JSON.createObjectNode();
    container.put("name", INIT_CONTAINER);
    container.put("image", settings.image());
    container.putArray("command").add("kodiakctl");
    String excludedInbound = annotations.path("traffic.kuma.io/exclude-inbound-ports").asText("");
    String ours = READINESS_PORT + (probePort == 0 ? "" : "," + probePort); // the kubelet's
    excludedInbound = excludedInbound.isBlank() ? ours : excludedInbound.trim() + "," + ours;
    ArrayNode args = container.putArray("args");
    args.add("install")
        .add("transparent-proxy")
        .add("--redirect-inbound-port=" + inboundPort)
        .add("--redirect-outbound-port=" + outboundPort)
        .add("--kuma-dp-uid=" + SIDECAR_UID)
        .add("--exclude-inbound-ports=" + excludedInbound);
    String excludedOutbound = annotations.path("traffic.kuma.io/exclude-outbound-ports").asText("");
    if (!excludedOutbound.isBlank()) {
      args.add("--exclude-outbound-ports=" + excludedOutbound.trim());
    }
    ObjectNode security = container.putObject("securityContext");
    security.put("runAsUser", 0).put("runAsGroup", 0).put("runAsNonRoot", false);
    security.put("allowPrivilegeEscalation", false).put("readOnlyRootFilesystem", true);
    ObjectNode capabilities = security.putObject("capabilities");
    capabilities.putArray("add").add("NET_ADMIN").add("NET_RAW");
    capabilities.putArray("drop").add("ALL");
    // a JVM: 100m of CPU would take it many seconds to start, 64Mi would not hold its heap
    ObjectNode resources = container.putObject("resources");
    resources.putObject("requests").put("cpu", "50m").put("memory", "64Mi");
    resources.putObject("limits").put("cpu", "1000m").put("memory", "192Mi");
    // read-only root: iptables-legacy takes its lock in /run, the JVM writes to /tmp
    ArrayNode mounts = container.putArray("volumeMounts");
    mounts.addObject().put("name", TMP_VOLUME).put("mountPath", "/tmp");
    mounts.addObject().put("name", INIT_RUN_VOLUME).put("mountPath", "/run");
    return container;
  }

  /**
   * Refuses the Pod when a port annotation would make its init container or its Dataplane fail.
   *
   * @throws InjectionRefusedException naming the first malformed annotation and its value
   */
  private static void checkPortAnnotations(JsonNode annotations) {
    for (String key :
        List.of(
            "kuma.io/envoy-admin-port",
            "kuma.io/transparent-proxying-inbound-port",
            "kuma.io/transparent-proxying-outbound-port")) {
      JsonNode value = annotations.path(key);
      if (value.isTextual() && !isPort(value.asText().trim())) {
        throw refused(key, value.asText(), "a port (1-65535)");
      }
    }
    JsonNode probePort = annotations.path(ApplicationProbes.PORT_ANNOTATION);
    if (probePort.isTextual()
        && !probePort.asText().trim().equals("0")
        && !isPort(probePort.asText().trim())) {
      throw refused(
          ApplicationProbes.PORT_ANNOTATION, probePort.asText(), "a port (1-65535), or 0 for off");
    }
    for (String key :
        List.of(
            "traffic.kuma.io/exclude-inbound-ports", "traffic.kuma.io/exclude-outbound-ports")) {
      String value = annotations.path(key).asText("");
      if (value.isBlank()) {
        continue;
      }
      for (String port : value.split(",", -1)) {
        if (!isPort(port.trim())) {
          throw refused(key, value, "a comma-separated list of ports (1-65535)");
        }
      }
    }
  }

  private static boolean isPort(String text) {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
      return false;
    }
    int port = Integer.parseInt(text);
    return port >= 1 && port <= 65535;
  }

  private static InjectionRefusedException refused(String key, String value, String expected) {
    String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
    return new InjectionRefusedException(
        "annotation "
            + key
            + ": "
            + Documents.JSON.getNodeFactory().textNode(shown)
            + " is not "
            + expected);
  }

  /** A port the Pod's annotation gives, or 0 when it gives none (or not a number). */
  private static int givenPort(JsonNode annotations, String key) {
    try {
      return Integer.parseInt(annotations.path(key).asText("0").trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * The service-account token's mount, as the API server gave it to the Pod's own containers (the
   * ServiceAccount admission ran before this webhook, and does not see containers added after it).
   */
  private static Optional<JsonNode> tokenMount(JsonNode pod) {
    for (JsonNode container : pod.path("spec").path("containers")) {
      for (JsonNode mount : container.path("volumeMounts")) {
        if (TOKEN_DIR.equals(mount.path("mountPath").asText())) {
          return Optional.of(mount.deepCopy());
        }
      }
    }
    return Optional.empty();
  }

  private static boolean alreadyInjected(JsonNode pod) {
    if ("true"
        .equals(
            pod.path("metadata").path("annotations").path("kuma.io/sidecar-injected").asText())) {
      return true;
    }
    for (JsonNode container : pod.path("spec").path("containers")) {
      if (CONTAINER.equals(container.path("name").asText())) {
        return true;
      }
    }
    return false;
  }

  private static void annotate(ArrayNode patch, String key, String value) {
    patch
        .addObject()
        .put("op", "add")
        .put("path", "/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1"))
        .put("value", value);
  }

  private static String annotation(JsonNode pod, String key, String fallback) {
    return pod.path("metadata").path("annotations").path(key).asText(fallback);
  }

  /** A Kuma setting on the Pod: its label, else its annotation (older Kuma used those). */
  private static Optional<String> setting(JsonNode pod, String key) {
    JsonNode metadata = pod.path("metadata");
    JsonNode value = metadata.path("labels").path(key);
    if (!value.isTextual()) {
      value = metadata.path("annotations").path(key);
    }
    return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
  }
}
