package io.kodiak.cp.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * SidecarInjection}) or with no change. It never refuses a Pod. Thread-safe.
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
    Optional<ArrayNode> patch =
        injection.patch(request.path("object"), namespaceLabels.apply(namespace));
    if (patch.isEmpty()) {
      return;
    }
    response.put("patchType", "JSONPatch");
    response.put(
        "patch",
        Base64.getEncoder()
            .encodeToString(Documents.toJson(patch.get()).getBytes(StandardCharsets.UTF_8)));
    JsonNode metadata = request.path("object").path("metadata");
    String name = metadata.path("name").asText(metadata.path("generateName").asText() + "*");
    LOG.info(
        "injection: Pod {}/{} gets a sidecar",
        Printable.escaped(namespace, Printable.ECHO_LIMIT),
        Printable.escaped(name, Printable.ECHO_LIMIT));
  }
}
