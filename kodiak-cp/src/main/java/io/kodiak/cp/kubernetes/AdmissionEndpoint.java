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
import io.kodiak.model.codec.Documents;

/**
 * An admission webhook the Kubernetes API server calls: it POSTs an AdmissionReview and reads the
 * response's decision. Subclasses decide one request. Thread-safe when {@link #decide} is.
 */
abstract class AdmissionEndpoint implements HttpService {
  @Override
  public final HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
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

  /** The AdmissionReview answering {@code review}'s request. */
  final ObjectNode review(JsonNode review) {
    JsonNode request = review.path("request");
    ObjectNode out = Documents.JSON.createObjectNode();
    out.put("apiVersion", "admission.k8s.io/v1");
    out.put("kind", "AdmissionReview");
    ObjectNode response = out.putObject("response");
    response.put("uid", request.path("uid").asText());
    decide(request, response);
    return out;
  }

  /** Fills {@code response} ({@code allowed}, and a status or a patch) for {@code request}. */
  abstract void decide(JsonNode request, ObjectNode response);
}
