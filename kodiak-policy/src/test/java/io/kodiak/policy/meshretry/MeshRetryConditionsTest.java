package io.kodiak.policy.meshretry;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.kodiak.xds.proxy.Protocol;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every retry condition the validator accepts, in Kuma's spelling, becomes Kuma's Envoy value. */
class MeshRetryConditionsTest {
  /** Kuma's table (HttpRetryOnEnumToEnvoyValue) for the conditions that are not methods. */
  private static final Map<String, String> ENVOY =
      Map.of(
          "5xx",
          "5xx",
          "GatewayError",
          "gateway-error",
          "Reset",
          "reset",
          "Retriable4xx",
          "retriable-4xx",
          "ConnectFailure",
          "connect-failure",
          "EnvoyRatelimited",
          "envoy-ratelimited",
          "RefusedStream",
          "refused-stream",
          "Http3PostConnectFailure",
          "http3-post-connect-failure");

  @Test
  void everyAcceptedHttpConditionHasItsEnvoyValue() {
    for (String condition : MeshRetryValidator.HTTP_CONDITIONS) {
      RetryPolicy policy = MeshRetryPlugin.policy(conf(condition), Protocol.HTTP);
      if (condition.startsWith("HttpMethod")) {
        String method = condition.substring("HttpMethod".length()).toUpperCase(Locale.ROOT);
        assertThat(policy.getRetriableRequestHeadersList())
            .as(condition)
            .anySatisfy(
                h -> {
                  assertThat(h.getName()).isEqualTo(":method");
                  assertThat(h.getStringMatch().getExact()).isEqualTo(method);
                });
      } else {
        assertThat(policy.getRetryOn()).as(condition).isEqualTo(ENVOY.get(condition));
      }
    }
    assertThat(MeshRetryValidator.HTTP_CONDITIONS)
        .containsAll(ENVOY.keySet())
        .hasSize(ENVOY.size() + 9);
  }

  @ParameterizedTest
  @CsvSource({
    "Canceled, cancelled",
    "DeadlineExceeded, deadline-exceeded",
    "Internal, internal",
    "ResourceExhausted, resource-exhausted",
    "Unavailable, unavailable"
  })
  void everyGrpcConditionOfTheContractHasItsEnvoyValue(String condition, String envoy) {
    assertThat(MeshRetryPlugin.policy(conf(condition), Protocol.GRPC).getRetryOn())
        .isEqualTo(envoy);
  }

  @Test
  void statusCodesBecomeRetriableStatusCodes() {
    RetryPolicy policy = MeshRetryPlugin.policy(conf("503"), Protocol.HTTP);
    assertThat(policy.getRetryOn()).isEqualTo("retriable-status-codes");
    assertThat(policy.getRetriableStatusCodesList()).containsExactly(503);
  }

  private static MeshRetryConf.Http conf(String condition) {
    return new MeshRetryConf.Http(
        null, null, null, null, List.of(condition), null, null, null, null);
  }
}
