package io.kodiak.cp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import io.kodiak.cp.tokens.DataplaneTokens;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.validation.Durations;
import io.kodiak.model.validation.ValidationException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** {@code POST /tokens/dataplane}: dataplane tokens for admins to hand to proxies. */
final class TokenEndpoints {
  private final DataplaneTokens tokens;
  private final Access access;

  TokenEndpoints(DataplaneTokens tokens, Access access) {
    this.tokens = tokens;
    this.access = access;
  }

  /**
   * {@code POST /tokens/dataplane}: {name, mesh, tags: {k: [v]}, validFor} -> the token as text.
   */
  HttpResponse token(AggregatedHttpRequest req) {
    access.requireAdmin(req.headers(), "generating a dataplane token");
    JsonNode body = Documents.parse(req.contentUtf8().isBlank() ? "{}" : req.contentUtf8());
    String mesh = body.path("mesh").asText("default");
    Map<String, Set<String>> tags = new TreeMap<>();
    body.path("tags")
        .fields()
        .forEachRemaining(
            e -> {
              Set<String> values = new TreeSet<>();
              if (e.getValue().isArray()) {
                e.getValue().forEach(v -> values.add(v.asText()));
              } else {
                values.add(e.getValue().asText());
              }
              tags.put(e.getKey(), values);
            });
    String validFor = body.path("validFor").asText("24h");
    var duration =
        Durations.parse(validFor)
            .filter(d -> !d.isNegative() && !d.isZero())
            .orElseThrow(
                () ->
                    ValidationException.of(
                        "validFor",
                        "must be a positive duration such as 24h or 30d, not \""
                            + validFor
                            + "\""));
    String token = tokens.issue(mesh, body.path("name").asText(""), tags, duration);
    return HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, token);
  }
}
