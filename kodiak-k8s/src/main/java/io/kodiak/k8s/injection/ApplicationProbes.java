package io.kodiak.k8s.injection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The application's probes, rewritten to go around mTLS: under transparent proxying the kubelet's
 * probe of an application port would reach the sidecar's inbound and be refused for want of a
 * client certificate. An {@code httpGet} probe goes to the sidecar's probe port as {@code
 * /<port><path>} ({@code /https/<port><path>} for HTTPS), a {@code tcpSocket} probe becomes {@code
 * GET /tcp/<port>}; kodiak-dp asks the application on loopback. Every other field of a probe
 * (timing, thresholds, headers) stays. Left alone: {@code grpc} and {@code exec} probes, and probes
 * naming a host (its field, or a Host header), which are not the local application's.
 */
final class ApplicationProbes {
  static final String PORT_ANNOTATION = "kuma.io/application-probe-proxy-port";
  static final int DEFAULT_PORT = 9001;
  private static final List<String> KINDS =
      List.of("livenessProbe", "readinessProbe", "startupProbe");

  private ApplicationProbes() {}

  /**
   * Adds to {@code patch} a replacement of each probe of the Pod's containers it rewrites, and
   * returns them as kodiak-dp's {@code --application-probe} values (the only paths its probe port
   * answers), {@code <timeoutSeconds>:<path>}.
   */
  static List<String> rewrite(JsonNode pod, int probePort, ArrayNode patch) {
    List<String> rewrittenProbes = new ArrayList<>();
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
          rewrittenProbes.add(
              rewritten.path("timeoutSeconds").asInt(1)
                  + ":"
                  + rewritten.path("httpGet").path("path").asText());
        }
      }
    }
    return rewrittenProbes;
  }

  /** The probe asking the sidecar instead, or null when it is not one to rewrite. */
  private static ObjectNode rewritten(ObjectNode probe, JsonNode container, int probePort) {
    String path;
    JsonNode headers = null;
    if (probe.has("httpGet")) {
      JsonNode get = probe.get("httpGet");
      if (get.hasNonNull("host") || namesHost(get.path("httpHeaders"))) {
        return null; // a probe of another host, or of a virtual host: not the sidecar's to proxy
      }
      int port = port(get.path("port"), container);
      if (port == 0 || port == probePort) {
        return null;
      }
      String original = get.path("path").asText("/");
      String prefix = "HTTPS".equalsIgnoreCase(get.path("scheme").asText("HTTP")) ? "/https/" : "/";
      path = prefix + port + (original.startsWith("/") ? original : "/" + original);
      headers = get.get("httpHeaders");
    } else if (probe.has("tcpSocket")) {
      if (probe.get("tcpSocket").hasNonNull("host")) {
        return null;
      }
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

  private static boolean namesHost(JsonNode headers) {
    for (JsonNode header : headers) {
      if ("host".equalsIgnoreCase(header.path("name").asText())) {
        return true;
      }
    }
    return false;
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
