package io.kodiak.policy.meshretry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every retry condition the validator accepts, in Kuma's spelling, becomes Kuma's Envoy value. */
class MeshRetryConditionsTest {
  /** Kuma's table (HttpRetryOnEnumToEnvoyValue) for the conditions that are not methods. */
  private static final Map<String, String> ENVOY = Map.of("5xx", "5xx", "GatewayError", "gateway-error",
      "Reset", "reset", "Retriable4xx", "retriable-4xx", "ConnectFailure", "connect-failure",
      "EnvoyRatelimited", "envoy-ratelimited", "RefusedStream", "refused-stream",
      "Http3PostConnectFailure", "http3-post-connect-failure");

  @Test
  void everyAcceptedHttpConditionHasItsEnvoyValue() {
    for (String condition : MeshRetryValidator.HTTP_CONDITIONS) {
      RetryPolicy policy = MeshRetryPlugin.policy(conf(condition), false);
      if (condition.startsWith("HttpMethod")) {
        String method = condition.substring("HttpMethod".length()).toUpperCase(java.util.Locale.ROOT);
        assertThat(policy.getRetriableRequestHeadersList()).as(condition)
            .anySatisfy(h -> {
              assertThat(h.getName()).isEqualTo(":method");
              assertThat(h.getStringMatch().getExact()).isEqualTo(method);
            });
      } else {
        assertThat(policy.getRetryOn()).as(condition).isEqualTo(ENVOY.get(condition));
      }
    }
    assertThat(MeshRetryValidator.HTTP_CONDITIONS).containsAll(ENVOY.keySet()).hasSize(ENVOY.size() + 9);
  }

  @ParameterizedTest
  @CsvSource({"Canceled, cancelled", "DeadlineExceeded, deadline-exceeded", "Internal, internal",
      "ResourceExhausted, resource-exhausted", "Unavailable, unavailable"})
  void everyGrpcConditionOfTheContractHasItsEnvoyValue(String condition, String envoy) {
    assertThat(MeshRetryPlugin.policy(conf(condition), true).getRetryOn()).isEqualTo(envoy);
  }

  @Test
  void statusCodesBecomeRetriableStatusCodes() {
    RetryPolicy policy = MeshRetryPlugin.policy(conf("503"), false);
    assertThat(policy.getRetryOn()).isEqualTo("retriable-status-codes");
    assertThat(policy.getRetriableStatusCodesList()).containsExactly(503);
  }

  private static ObjectNode conf(String condition) {
    ObjectNode conf = JsonNodeFactory.instance.objectNode();
    conf.putArray("retryOn").add(condition);
    return conf;
  }
}
