package io.kodiak.cp.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.model.validation.Violation;
import io.kodiak.store.api.ResourceAlreadyExistsException;
import io.kodiak.store.api.ResourceConflictException;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.StoreException;
import io.kodiak.store.api.StoreFullException;
import io.kodiak.store.api.StoreUnavailableException;
import java.util.UUID;

/** Renders failures in Kuma's error shape ({@code application/problem+json}). */
public final class Problems {
  private static final MediaType PROBLEM = MediaType.parse("application/problem+json");

  private Problems() {}

  public static HttpResponse render(ApiError error) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("type", "/std-errors");
    body.put("status", error.status());
    body.put("title", error.title());
    body.put("detail", error.detail());
    body.put("instance", "kodiak:trace:" + UUID.randomUUID());
    if (!error.invalid().isEmpty() || error.status() == 400) {
      ArrayNode invalid = body.putArray("invalid_parameters");
      for (Violation v : error.invalid()) {
        invalid
            .addObject()
            .put("field", v.field())
            .put("reason", v.reason())
            .put("source", error.source());
      }
    }
    return HttpResponse.of(HttpStatus.valueOf(error.status()), PROBLEM, Documents.toJson(body));
  }

  public static ApiError fromValidation(ValidationException e) {
    return new ApiError(400, "Bad Request", "Resource is not valid", e.violations(), "body");
  }

  static ApiError fromStore(StoreException e) {
    if (e instanceof ResourceNotFoundException) {
      return ApiError.of(404, "Not Found", e.getMessage());
    } else if (e instanceof ResourceConflictException
        || e instanceof ResourceAlreadyExistsException) {
      return ApiError.of(409, "Conflict", e.getMessage() + "; read it again and retry");
    } else if (e instanceof StoreFullException) {
      return ApiError.of(507, "Insufficient Storage", e.getMessage());
    } else if (e instanceof StoreUnavailableException) {
      return ApiError.of(503, "Store Unavailable", e.getMessage());
    }
    return ApiError.of(500, "Internal Server Error", e.getMessage());
  }
}
