package io.kodiak.e2e.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi31;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * The Kuma 2.14.3 OpenAPI contract, and a check of one response against the schema it declares for
 * that path, method and status (validated by networknt's OpenAPI 3.1 dialect).
 */
final class OpenApiContract {
  private static final String LOCATION = "classpath:contract/kuma-2.14.3-openapi.yaml";
  private final JsonNode document;
  private final JsonSchemaFactory factory =
      JsonSchemaFactory.getInstance(
          SpecVersion.VersionFlag.V202012,
          builder ->
              builder
                  .metaSchema(OpenApi31.getInstance())
                  .defaultMetaSchemaIri(OpenApi31.getInstance().getIri()));
  private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().build();

  OpenApiContract() {
    try (InputStream in =
        OpenApiContract.class.getResourceAsStream("/contract/kuma-2.14.3-openapi.yaml")) {
      document = new YAMLMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the contract declares this path template. */
  boolean hasPath(String template) {
    return document.path("paths").has(template);
  }

  /**
   * Validates {@code body} as the response of {@code method template} with {@code status}.
   *
   * @return the violations; empty when the body matches the contract
   */
  List<String> check(
      String method, String template, int status, String contentType, JsonNode body) {
    JsonNode operation = document.path("paths").path(template).path(method.toLowerCase());
    if (operation.isMissingNode()) {
      return List.of("the contract has no " + method + " " + template);
    }
    JsonNode response = operation.path("responses").path(String.valueOf(status));
    String pointer =
        "/paths/" + escape(template) + "/" + method.toLowerCase() + "/responses/" + status;
    if (response.isMissingNode() && status == 400) {
      // Not every operation lists 400, but every one can answer it: use the shared definition.
      pointer = "/components/responses/BadRequest";
      response = document.at(pointer);
    }
    if (response.isMissingNode()) {
      return List.of("the contract declares no " + status + " for " + method + " " + template);
    }
    if (response.has("$ref")) {
      pointer = response.get("$ref").asText().substring(1);
      response = document.at(pointer);
    }
    String mediaType = contentType.split(";")[0].trim();
    if (!response.path("content").has(mediaType)) {
      return List.of(
          "the contract declares no "
              + mediaType
              + " body for "
              + status
              + " of "
              + method
              + " "
              + template
              + " (it has "
              + response.path("content").fieldNames().next()
              + ")");
    }
    JsonSchema schema =
        factory.getSchema(
            SchemaLocation.of(
                LOCATION + "#" + pointer + "/content/" + escape(mediaType) + "/schema"),
            config);
    Set<ValidationMessage> messages = schema.validate(body);
    return messages.stream()
        .map(ValidationMessage::toString)
        .filter(m -> !isKnownContractDefect(m))
        .toList();
  }

  /**
   * The contract's Mesh backend {@code conf} is a oneOf of object schemas that all accept any
   * object (no required fields, additional properties allowed), so any non-empty conf matches
   * several and strict oneOf can never pass, for Kuma's own answers too. See
   * docs/decisions/0003-contract-deviations.md.
   */
  private static boolean isKnownContractDefect(String message) {
    return message.matches(
        "/\\w+/backends/\\d+/conf: must be valid to one and only one schema, but \\d are valid.*");
  }

  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
