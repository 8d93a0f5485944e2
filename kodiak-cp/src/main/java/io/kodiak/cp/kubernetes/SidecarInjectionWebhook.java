package io.kodiak.cp.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.k8s.injection.InjectionRefusedException;
import io.kodiak.k8s.injection.SidecarInjection;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.text.Printable;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mutating admission webhook of Kubernetes mode ({@code POST /inject-sidecar}): the API server
 * sends each Pod being created, and this answers with the patch that adds the sidecar ({@link
 * SidecarInjection}) or with no change. It refuses a Pod only when one of its Kuma port annotations
 * is malformed (which would leave it stuck in its init container). Thread-safe.
 */
public final class SidecarInjectionWebhook extends AdmissionEndpoint {
  public static final String PATH = "/inject-sidecar";
  private static final Logger LOG = LoggerFactory.getLogger(SidecarInjectionWebhook.class);

  private final SidecarInjection injection;
  private final Function<String, Map<String, String>> namespaceLabels;

  public SidecarInjectionWebhook(
      SidecarInjection injection, Function<String, Map<String, String>> namespaceLabels) {
    this.injection = injection;
    this.namespaceLabels = namespaceLabels;
  }

  @Override
  void decide(JsonNode request, ObjectNode response) {
    response.put("allowed", true);
    if (!"CREATE".equals(request.path("operation").asText())
        || !"Pod".equals(request.path("kind").path("kind").asText())) {
      return;
    }
    String namespace = request.path("namespace").asText();
    JsonNode metadata = request.path("object").path("metadata");
    String name = metadata.path("name").asText(metadata.path("generateName").asText() + "*");
    Optional<ArrayNode> patch;
    try {
      patch = injection.patch(request.path("object"), namespaceLabels.apply(namespace));
    } catch (InjectionRefusedException e) {
      response.put("allowed", false);
      ObjectNode status = response.putObject("status");
      status.put("code", 422);
      status.put("reason", "Invalid");
      status.put("message", "Pod " + name + " cannot get a sidecar: " + e.getMessage());
      LOG.info(
          "injection: refused Pod {}/{}: {}",
          Printable.escaped(namespace, Printable.ECHO_LIMIT),
          Printable.escaped(name, Printable.ECHO_LIMIT),
          Printable.escaped(e.getMessage(), Printable.ECHO_LIMIT * 4));
      return;
    }
    if (patch.isEmpty()) {
      return;
    }
    response.put("patchType", "JSONPatch");
    response.put(
        "patch",
        Base64.getEncoder()
            .encodeToString(Documents.toJson(patch.get()).getBytes(StandardCharsets.UTF_8)));
    LOG.info(
        "injection: Pod {}/{} gets a sidecar",
        Printable.escaped(namespace, Printable.ECHO_LIMIT),
        Printable.escaped(name, Printable.ECHO_LIMIT));
  }
}
