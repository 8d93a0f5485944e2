package io.kodiak.policy.meshretry;

import static io.kodiak.policy.core.TargetRefKind.MESH;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Spellings;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.ConfChecks;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import io.kodiak.policy.core.rules.SpecMapper;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * MeshRetry, checked on the decoded conf (malformed and negative durations are reported by the
 * decoding, at their field): back-off intervals are positive and ordered, retryOn names Kuma's
 * conditions or a status code Kuma knows (gRPC conditions are a closed enum in the schema).
 */
final class MeshRetryValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder()
          .top(MESH, Kinds.PROXIES_GATEWAYS_ROUTES)
          .to(MESH, Kinds.DESTINATIONS)
          .build();

  /**
   * Kuma's retry conditions, spelled as Kuma's validator accepts them ({@code 5xx}, not the docs'
   * 5XX).
   */
  static final Set<String> HTTP_CONDITIONS =
      Set.of(
          "5xx",
          "GatewayError",
          "Reset",
          "Retriable4xx",
          "ConnectFailure",
          "EnvoyRatelimited",
          "RefusedStream",
          "Http3PostConnectFailure",
          "HttpMethodConnect",
          "HttpMethodDelete",
          "HttpMethodGet",
          "HttpMethodHead",
          "HttpMethodOptions",
          "HttpMethodPatch",
          "HttpMethodPost",
          "HttpMethodPut",
          "HttpMethodTrace");

  /** The status codes Kuma takes as conditions: those Go's net/http names (http.StatusText). */
  private static final Set<Integer> STATUS_CODES = statusCodes();

  @Override
  public void validate(Resource policy, Violations out) {
    for (At block : SHAPE.check(policy, out)) {
      SpecMapper.check(block, MeshRetryConf.class, out)
          .ifPresent(conf -> check(conf, block.path(), out));
    }
  }

  private static void check(MeshRetryConf conf, FieldPath at, Violations out) {
    if (conf.tcp() != null) {
      ConfChecks.range(
          conf.tcp().maxConnectAttempt(),
          at.field("tcp").field("maxConnectAttempt"),
          1,
          Integer.MAX_VALUE,
          out);
    }
    if (conf.http() != null) {
      section(conf.http(), at.field("http"), out);
      List<String> retryOn = conf.http().retryOn() == null ? List.of() : conf.http().retryOn();
      for (int i = 0; i < retryOn.size(); i++) {
        condition(retryOn.get(i), at.field("http").field("retryOn").index(i), out);
      }
    }
    if (conf.grpc() != null) {
      section(
          conf.grpc().asHttp(),
          at.field("grpc"),
          out); // gRPC conditions are a closed enum in the schema
    }
  }

  private static void section(MeshRetryConf.Http section, FieldPath at, Violations out) {
    ConfChecks.range(section.numRetries(), at.field("numRetries"), 0, Integer.MAX_VALUE, out);
    ConfChecks.positive(section.perTryTimeout(), at.field("perTryTimeout"), out);
    MeshRetryConf.BackOff backOff = section.backOff();
    if (backOff != null) {
      FieldPath path = at.field("backOff");
      ConfChecks.positive(backOff.baseInterval(), path.field("baseInterval"), out);
      ConfChecks.positive(backOff.maxInterval(), path.field("maxInterval"), out);
      if (backOff.baseInterval() != null
          && backOff.maxInterval() != null
          && backOff.maxInterval().compareTo(backOff.baseInterval()) < 0) {
        out.add(path.field("maxInterval"), "must not be shorter than baseInterval");
      }
    }
    if (section.rateLimitedBackOff() != null) {
      ConfChecks.positive(
          section.rateLimitedBackOff().maxInterval(),
          at.field("rateLimitedBackOff").field("maxInterval"),
          out);
    }
  }

  private static void condition(String text, FieldPath at, Violations out) {
    boolean statusCode = text.matches("\\d{3}") && STATUS_CODES.contains(Integer.parseInt(text));
    if (!statusCode && !HTTP_CONDITIONS.contains(text)) {
      String hint = Spellings.hint(text, HTTP_CONDITIONS);
      out.add(
          at,
          "unknown retry condition \""
              + text
              + "\""
              + (hint.isEmpty()
                  ? "; use an HTTP status code such as 503 or one of: "
                      + String.join(", ", new TreeSet<>(HTTP_CONDITIONS))
                  : hint));
    }
  }

  private static Set<Integer> statusCodes() {
    Set<Integer> codes =
        new HashSet<>(
            List.of(
                100, 101, 102, 103, 226, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 510,
                511));
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
}
