package io.kodiak.cp.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.k8s.store.UniversalDocuments;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.text.Printable;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.model.validation.Violation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validating admission webhook of Kubernetes mode ({@code POST /validate-kuma-io-v1alpha1}):
 * the API server sends each create and update of a Kuma custom resource, and this answers with
 * Kodiak's own validation, every violation with its path, so {@code kubectl apply} of a bad policy
 * is refused exactly as the REST API refuses it. It stores nothing and reads only what validation
 * reads; the API server calls it over TLS with the control plane's CA as its bundle. Thread-safe.
 */
public final class AdmissionWebhook extends AdmissionEndpoint {
  public static final String PATH = "/validate-kuma-io-v1alpha1";
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionWebhook.class);

  private final ResourceManager manager;
  private final UniversalDocuments documents;

  public AdmissionWebhook(ResourceManager manager, String systemNamespace) {
    this.manager = manager;
    this.documents = new UniversalDocuments(systemNamespace);
  }

  @Override
  void decide(JsonNode request, ObjectNode response) {
    String operation = request.path("operation").asText();
    JsonNode object = request.path("object");
    if (!operation.equals("CREATE") && !operation.equals("UPDATE")
        || UniversalDocuments.type(object).isEmpty()) {
      response.put("allowed", true); // deletes, and kinds that are not Kodiak's to judge
      return;
    }
    ResourceType type = UniversalDocuments.type(object).get();
    try {
      manager.validate(documents.of(object));
      response.put("allowed", true);
    } catch (ValidationException e) {
      StringBuilder message = new StringBuilder();
      for (Violation violation : e.violations()) {
        message
            .append(message.isEmpty() ? "" : "; ")
            .append(UniversalDocuments.objectPath(type, violation.field()))
            .append(": ")
            .append(violation.reason());
      }
      String name = object.path("metadata").path("name").asText();
      response.put("allowed", false);
      ObjectNode status = response.putObject("status");
      status.put("code", 422);
      status.put("reason", "Invalid");
      status.put("message", type.name() + " " + name + " is not valid: " + message);
      LOG.info(
          "admission: refused {} {} {} ({} violations)",
          operation,
          type.name(),
          Printable.truncated(name, Printable.ECHO_LIMIT),
          e.violations().size());
    }
  }
}
