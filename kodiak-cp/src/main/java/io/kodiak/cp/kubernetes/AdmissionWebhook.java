package io.kodiak.cp.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.k8s.store.UniversalDocuments;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.codec.Documents;
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
public final class AdmissionWebhook implements HttpService {
  public static final String PATH = "/validate-kuma-io-v1alpha1";
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionWebhook.class);

  private final ResourceManager manager;
  private final UniversalDocuments documents;

  public AdmissionWebhook(ResourceManager manager, String systemNamespace) {
    this.manager = manager;
    this.documents = new UniversalDocuments(systemNamespace);
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    if (req.method() != HttpMethod.POST) {
      return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED);
    }
    return HttpResponse.of(
        req.aggregate()
            .thenApply(
                body -> {
                  JsonNode review;
                  try {
                    review = Documents.parse(body.contentUtf8());
                  } catch (RuntimeException e) {
                    return HttpResponse.of(
                        HttpStatus.BAD_REQUEST,
                        MediaType.PLAIN_TEXT_UTF_8,
                        "not an AdmissionReview");
                  }
                  return HttpResponse.of(
                      HttpStatus.OK, MediaType.JSON_UTF_8, Documents.toJson(review(review)));
                }));
  }

  /** The AdmissionReview response to {@code review}'s request. */
  ObjectNode review(JsonNode review) {
    JsonNode request = review.path("request");
    ObjectNode out = Documents.JSON.createObjectNode();
    out.put("apiVersion", "admission.k8s.io/v1");
    out.put("kind", "AdmissionReview");
    ObjectNode response = out.putObject("response");
    response.put("uid", request.path("uid").asText());
    String operation = request.path("operation").asText();
    JsonNode object = request.path("object");
    if (!operation.equals("CREATE") && !operation.equals("UPDATE")
        || UniversalDocuments.type(object).isEmpty()) {
      response.put("allowed", true); // deletes, and kinds that are not Kodiak's to judge
      return out;
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
    return out;
  }
}
