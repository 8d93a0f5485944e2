package io.kodiak.policy.meshretry;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import static io.kodiak.policy.core.TargetRefKind.*;
import java.util.Set;

/** MeshRetry: back-off intervals are positive and ordered, retryOn names known conditions. */
public final class MeshRetryValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder().top(MESH, Kinds.PROXIES_GATEWAYS_ROUTES).to(MESH, Kinds.DESTINATIONS).build();
  private static final Set<String> HTTP_CONDITIONS = Set.of("5XX", "GatewayError", "Reset", "Retriable4xx",
      "ConnectFailure", "EnvoyRatelimited", "RefusedStream", "Http3PostConnectFailure", "HttpMethodConnect",
      "HttpMethodDelete", "HttpMethodGet", "HttpMethodHead", "HttpMethodOptions", "HttpMethodPatch",
      "HttpMethodPost", "HttpMethodPut", "HttpMethodTrace");

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
          boolean statusCode = condition.text().matches("[1-5]\\d\\d");
          if (!statusCode && !HTTP_CONDITIONS.contains(condition.text())) {
            out.add(condition.path(), "unknown retry condition \"" + condition.text()
                + "\"; use a status code such as 503 or one of: " + String.join(", ", new java.util.TreeSet<>(HTTP_CONDITIONS)));
          }
        }
      }
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
