package io.kodiak.k8s.injection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The application's probes, rewritten to go around mTLS: under transparent proxying the kubelet's
 * probe of an application port would reach the sidecar's inbound and be refused for want of a
 * client certificate. An {@code httpGet} probe goes to the sidecar's probe port as {@code
 * /<port><path>} ({@code /https/<port><path>} for HTTPS), a {@code tcpSocket} probe becomes {@code
 * GET /tcp/<port>}; kodiak-dp asks the application on loopback. Every other field of a probe
 * (timing, thresholds, headers) stays; {@code grpc} and {@code exec} probes are left alone.
 */
final class ApplicationProbes {
  static final String PORT_ANNOTATION = "kuma.io/application-probe-proxy-port";
  static final int DEFAULT_PORT = 9001;
  private static final List<String> KINDS =
      List.of("livenessProbe", "readinessProbe", "startupProbe");

  private ApplicationProbes() {}

  /** Adds to {@code patch} a replacement of each probe of the Pod's containers it rewrites. */
  static void rewrite(JsonNode pod, int probePort, ArrayNode patch) {
    JsonNode containers = pod.path("spec").path("containers");
    for (int i = 0; i < containers.size(); i++) {
      JsonNode container = containers.get(i);
      for (String kind : KINDS) {
        JsonNode probe = container.path(kind);
        if (!probe.isObject()) {
          continue;
        }
        ObjectNode rewritten = rewritten((ObjectNode) probe, container, probePort);
        if (rewritten != null) {
          patch
              .addObject()
              .put("op", "replace")
              .put("path", "/spec/containers/" + i + "/" + kind)
              .set("value", rewritten);
        }
      }
    }
  }

  /** The probe asking the sidecar instead, or null when it is not one to rewrite. */
  private static ObjectNode rewritten(ObjectNode probe, JsonNode container, int probePort) {
    String path;
    JsonNode headers = null;
    if (probe.has("httpGet")) {
      JsonNode get = probe.get("httpGet");
      int port = port(get.path("port"), container);
      if (port == 0 || port == probePort) {
        return null;
      }
      String original = get.path("path").asText("/");
      String prefix = "HTTPS".equalsIgnoreCase(get.path("scheme").asText("HTTP")) ? "/https/" : "/";
      path = prefix + port + (original.startsWith("/") ? original : "/" + original);
      headers = get.get("httpHeaders");
    } else if (probe.has("tcpSocket")) {
      int port = port(probe.get("tcpSocket").path("port"), container);
      if (port == 0) {
        return null;
      }
      path = "/tcp/" + port;
    } else {
      return null;
    }
    ObjectNode copy = probe.deepCopy();
    copy.remove(List.of("httpGet", "tcpSocket"));
    ObjectNode get = copy.putObject("httpGet");
    get.put("path", path).put("port", probePort).put("scheme", "HTTP");
    if (headers != null) {
      get.set("httpHeaders", headers.deepCopy());
    }
    return copy;
  }

  /** A probe's port: a number, or the name of one of the container's ports; 0 when neither. */
  private static int port(JsonNode port, JsonNode container) {
    if (port.isInt()) {
      return port.asInt();
    }
    if (port.isTextual()) {
      for (JsonNode declared : container.path("ports")) {
        if (port.asText().equals(declared.path("name").asText())) {
          return declared.path("containerPort").asInt();
        }
      }
    }
    return 0;
  }
}
