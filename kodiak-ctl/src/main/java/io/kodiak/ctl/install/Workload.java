package io.kodiak.ctl.install;

import static io.kodiak.ctl.install.ControlPlaneManifests.NAME;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The control plane's Deployment and Service. The pod runs {@code run} with the Kubernetes store,
 * serves TLS from the install's Secret, keeps its data directory in an emptyDir (the cluster is the
 * state), and runs as a non-root user on a read-only root filesystem.
 */
final class Workload {
  static final String TLS_DIR = "/etc/kodiak/tls";
  static final String DATA_DIR = "/var/lib/kodiak/data";

  /** Selects the control plane's pods. */
  private static final String APP = "app.kubernetes.io/name";

  /** Not the nobody user: distroless's non-root uid, which owns nothing else in an image. */
  private static final int UID = 65532;

  private Workload() {}

  /** The webhooks reach 5682 through it; proxies 5678. Diagnostics stay on the pod's IP. */
  static ObjectNode service(String namespace) {
    ObjectNode service = KubeObjects.namespaced("v1", "Service", NAME, namespace);
    ObjectNode spec = service.putObject("spec");
    spec.put("type", "ClusterIP");
    spec.putObject("selector").put(APP, NAME);
    ArrayNode ports = spec.putArray("ports");
    for (Port port : EnumSet.of(Port.HTTP_API, Port.HTTPS_API, Port.DP_SERVER)) {
      ports
          .addObject()
          .put("name", port.portName)
          .put("port", port.number)
          .put("targetPort", port.portName)
          .put("protocol", "TCP");
    }
    return service;
  }

  static ObjectNode deployment(ControlPlaneManifests.Options options, ServingCertificate tls) {
    ObjectNode deployment =
        KubeObjects.namespaced("apps/v1", "Deployment", NAME, options.namespace());
    ObjectNode spec = deployment.putObject("spec");
    spec.put("replicas", options.replicas());
    spec.putObject("selector").putObject("matchLabels").put(APP, NAME);
    ObjectNode template = spec.putObject("template");
    ObjectNode metadata = template.putObject("metadata");
    metadata.putObject("labels").put(APP, NAME).put(KubeObjects.PART_OF, "kodiak");
    metadata.putObject("annotations").put("kodiak.io/tls-sha256", tls.fingerprint());
    ObjectNode pod = template.putObject("spec");
    pod.put("serviceAccountName", NAME);
    pod.putObject("securityContext")
        .put("runAsNonRoot", true)
        .put("runAsUser", UID)
        .put("runAsGroup", UID)
        .put("fsGroup", UID) // the Secret's files are group-readable only
        .putObject("seccompProfile")
        .put("type", "RuntimeDefault");
    pod.putArray("containers").add(container(options));
    ArrayNode volumes = pod.putArray("volumes");
    volumes.addObject().put("name", "data").putObject("emptyDir");
    // the JVM and Netty unpack native libraries into java.io.tmpdir
    volumes.addObject().put("name", "tmp").putObject("emptyDir");
    volumes
        .addObject()
        .put("name", "tls")
        .putObject("secret")
        .put("secretName", ServingCertificate.SECRET)
        .put("defaultMode", 0440); // octal; the YAML says 288
    return deployment;
  }

  private static ObjectNode container(ControlPlaneManifests.Options options) {
    ObjectNode container = KubeObjects.JSON.objectNode();
    container.put("name", "control-plane");
    container.put("image", options.image());
    container.put("imagePullPolicy", "IfNotPresent");
    container.set("args", KubeObjects.strings("run"));
    ArrayNode env = container.putArray("env");
    environment(options.namespace())
        .forEach((name, value) -> env.addObject().put("name", name).put("value", value));
    ArrayNode ports = container.putArray("ports");
    for (Port port : Port.values()) {
      ports
          .addObject()
          .put("name", port.portName)
          .put("containerPort", port.number)
          .put("protocol", "TCP");
    }
    container.set("readinessProbe", probe("/ready", 1, 3));
    // generous: a liveness failure restarts the pod, and a cold JVM on a busy node starts slowly
    container.set("livenessProbe", probe("/healthy", 30, 6));
    ObjectNode resources = container.putObject("resources");
    resources.putObject("requests").put("cpu", "500m").put("memory", "768Mi");
    // heap (KODIAK_CP_MAX_HEAP) plus metaspace, thread stacks and Netty's direct buffers
    resources.putObject("limits").put("cpu", "2").put("memory", "1536Mi");
    container
        .putObject("securityContext")
        .put("allowPrivilegeEscalation", false)
        .put("readOnlyRootFilesystem", true)
        .putObject("capabilities")
        .set("drop", KubeObjects.strings("ALL"));
    ArrayNode mounts = container.putArray("volumeMounts");
    mounts.addObject().put("name", "data").put("mountPath", "/var/lib/kodiak");
    mounts.addObject().put("name", "tmp").put("mountPath", "/tmp");
    mounts.addObject().put("name", "tls").put("mountPath", TLS_DIR).put("readOnly", true);
    return container;
  }

  /** The control plane's settings (its KODIAK_* names; see kodiak-cp's defaults.yaml). */
  static Map<String, String> environment(String namespace) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KODIAK_STORE_TYPE", "kubernetes");
    env.put("KODIAK_STORE_KUBERNETES_SYSTEM_NAMESPACE", namespace);
    // a directory the process creates inside the emptyDir, so it can make it private (0700)
    env.put("KODIAK_DATA_DIR", DATA_DIR);
    env.put("KODIAK_DP_SERVER_TLS_CERT_FILE", TLS_DIR + "/tls.crt");
    env.put("KODIAK_DP_SERVER_TLS_KEY_FILE", TLS_DIR + "/tls.key");
    env.put("KODIAK_DP_SERVER_TLS_CA_FILE", TLS_DIR + "/ca.crt");
    env.put("KODIAK_CP_MAX_HEAP", "1g");
    return env;
  }

  private static ObjectNode probe(String path, int initialDelaySeconds, int failureThreshold) {
    ObjectNode probe = KubeObjects.JSON.objectNode();
    probe
        .putObject("httpGet")
        .put("path", path)
        .put("port", Port.DIAGNOSTICS.portName)
        .put("scheme", "HTTP");
    probe.put("initialDelaySeconds", initialDelaySeconds);
    probe.put("periodSeconds", 5);
    probe.put("failureThreshold", failureThreshold);
    return probe;
  }
}
