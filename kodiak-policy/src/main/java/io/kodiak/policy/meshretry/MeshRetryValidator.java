package io.kodiak.policy.meshretry;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Spellings;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import static io.kodiak.policy.core.TargetRefKind.*;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * MeshRetry: back-off intervals are positive and ordered, retryOn names Kuma's conditions or a
 * status code Kuma knows (gRPC conditions are a closed enum in the schema).
 */
final class MeshRetryValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder().top(MESH, Kinds.PROXIES_GATEWAYS_ROUTES).to(MESH, Kinds.DESTINATIONS).build();
  /** Kuma's retry conditions, spelled as Kuma's validator accepts them ({@code 5xx}, not the docs' 5XX). */
  static final Set<String> HTTP_CONDITIONS = Set.of("5xx", "GatewayError", "Reset", "Retriable4xx",
      "ConnectFailure", "EnvoyRatelimited", "RefusedStream", "Http3PostConnectFailure", "HttpMethodConnect",
      "HttpMethodDelete", "HttpMethodGet", "HttpMethodHead", "HttpMethodOptions", "HttpMethodPatch",
      "HttpMethodPost", "HttpMethodPut", "HttpMethodTrace");
  /** The status codes Kuma takes as conditions: those Go's net/http names (http.StatusText). */
  private static final Set<Integer> STATUS_CODES = statusCodes();

  @Override
  public void validate(Resource policy, Violations out) {
    for (At conf : SHAPE.check(policy, out)) {
      At tcp = conf.field("tcp").field("maxConnectAttempt");
      tcp.intRange(out, 1, Integer.MAX_VALUE);
      for (String protocol : new String[] {"http", "grpc"}) {
        At section = conf.field(protocol);
        section.field("numRetries").intRange(out, 0, Integer.MAX_VALUE);
        section.field("perTryTimeout").duration(out, DurationRule.POSITIVE);
        backOff(section.field("backOff"), out);
        backOff(section.field("rateLimitedBackOff"), out);
        if (protocol.equals("grpc")) {
          continue; // gRPC conditions are a closed enum in the schema
        }
        for (At condition : section.field("retryOn").items()) {
          String text = condition.text();
          boolean statusCode = text.matches("\\d{3}") && STATUS_CODES.contains(Integer.parseInt(text));
          if (!statusCode && !HTTP_CONDITIONS.contains(text)) {
            String hint = Spellings.hint(text, HTTP_CONDITIONS);
            out.add(condition.path(), "unknown retry condition \"" + text + "\"" + (hint.isEmpty()
                ? "; use an HTTP status code such as 503 or one of: " + String.join(", ", new TreeSet<>(HTTP_CONDITIONS))
                : hint));
          }
        }
      }
    }
  }

  private static Set<Integer> statusCodes() {
    Set<Integer> codes = new HashSet<>(List.of(100, 101, 102, 103, 226, 421, 422, 423, 424, 425, 426, 428, 429, 431,
        451, 510, 511));
    addRange(codes, 200, 208);
    addRange(codes, 300, 305);
    addRange(codes, 307, 308);
    addRange(codes, 400, 418);
    addRange(codes, 500, 508);
    return Set.copyOf(codes);
  }

  private static void addRange(Set<Integer> codes, int from, int to) {
    for (int code = from; code <= to; code++) {
      codes.add(code);
    }
  }

  private static void backOff(At backOff, Violations out) {
    var base = backOff.field("baseInterval").duration(out, DurationRule.POSITIVE);
    var max = backOff.field("maxInterval").duration(out, DurationRule.POSITIVE);
    if (base.isPresent() && max.isPresent() && max.get().compareTo(base.get()) < 0) {
      out.add(backOff.field("maxInterval").path(), "must not be shorter than baseInterval");
    }
  }
}
