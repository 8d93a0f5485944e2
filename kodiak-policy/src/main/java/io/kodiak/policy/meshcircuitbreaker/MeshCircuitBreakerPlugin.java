package io.kodiak.policy.meshcircuitbreaker;

import io.kodiak.policy.core.module.PolicyModule;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.kodiak.policy.core.envoy.ClusterEdits;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.proxy.Protocol;

/**
 * MeshCircuitBreaker: connection limits as Envoy circuit-breaker thresholds and outlier
 * detection with each configured detector enforced (and unconfigured ones not), on service
 * clusters ({@code to[]}) and inbound local clusters ({@code from[]}/{@code rules[]}).
 */
final class MeshCircuitBreakerPlugin implements PolicyModule.Plugin<JsonNode> {
  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    if (!rules.matched().isEmpty()) {
      ClusterEdits.outbound(resources, rules, MeshCircuitBreakerPlugin::configure);
      ClusterEdits.inbound(resources, rules, MeshCircuitBreakerPlugin::configure);
    }
  }

  static Cluster configure(Cluster cluster, JsonNode conf, Protocol protocol) {
    Cluster.Builder out = cluster.toBuilder();
    JsonNode limits = conf.path("connectionLimits");
    if (!limits.isMissingNode()) {
      CircuitBreakers.Thresholds.Builder t = CircuitBreakers.Thresholds.newBuilder();
      limit(limits, "maxConnections", v -> t.setMaxConnections(v));
      limit(limits, "maxPendingRequests", v -> t.setMaxPendingRequests(v));
      limit(limits, "maxRequests", v -> t.setMaxRequests(v));
      limit(limits, "maxRetries", v -> t.setMaxRetries(v));
      limit(limits, "maxConnectionPools", v -> t.setMaxConnectionPools(v));
      out.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(t));
    }
    JsonNode outlier = conf.path("outlierDetection");
    if (!outlier.isMissingNode()) {
      if (outlier.path("disabled").asBoolean(false)) {
        out.clearOutlierDetection();
      } else {
        out.setOutlierDetection(outlier(outlier));
      }
      if (outlier.has("healthyPanicThreshold")) {
        out.setCommonLbConfig(out.getCommonLbConfig().toBuilder()
            .setHealthyPanicThreshold(Values.envoyPercent(outlier.path("healthyPanicThreshold"))));
      }
    }
    return out.build();
  }

  private static OutlierDetection outlier(JsonNode conf) {
    OutlierDetection.Builder out = OutlierDetection.newBuilder();
    if (conf.has("interval")) {
      out.setInterval(Values.duration(conf.path("interval")));
    }
    if (conf.has("baseEjectionTime")) {
      out.setBaseEjectionTime(Values.duration(conf.path("baseEjectionTime")));
    }
    if (conf.has("maxEjectionPercent")) {
      out.setMaxEjectionPercent(UInt32Value.of(conf.path("maxEjectionPercent").asInt()));
    }
    out.setSplitExternalLocalOriginErrors(conf.path("splitExternalAndLocalErrors").asBoolean(false));
    JsonNode detectors = conf.path("detectors");
    // Envoy enforces several detectors by default; only the configured ones may eject.
    out.setEnforcingConsecutive5Xx(UInt32Value.of(0))
        .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(0))
        .setEnforcingConsecutiveLocalOriginFailure(UInt32Value.of(0))
        .setEnforcingSuccessRate(UInt32Value.of(0))
        .setEnforcingFailurePercentage(UInt32Value.of(0));
    JsonNode total = detectors.path("totalFailures");
    if (!total.isMissingNode()) {
      out.setEnforcingConsecutive5Xx(UInt32Value.of(100));
      if (total.has("consecutive")) {
        out.setConsecutive5Xx(UInt32Value.of(total.path("consecutive").asInt()));
      }
    }
    JsonNode gateway = detectors.path("gatewayFailures");
    if (!gateway.isMissingNode()) {
      out.setEnforcingConsecutiveGatewayFailure(UInt32Value.of(100));
      if (gateway.has("consecutive")) {
        out.setConsecutiveGatewayFailure(UInt32Value.of(gateway.path("consecutive").asInt()));
      }
    }
    JsonNode local = detectors.path("localOriginFailures");
    if (!local.isMissingNode()) {
      out.setEnforcingConsecutiveLocalOriginFailure(UInt32Value.of(100));
      if (local.has("consecutive")) {
        out.setConsecutiveLocalOriginFailure(UInt32Value.of(local.path("consecutive").asInt()));
      }
    }
    JsonNode rate = detectors.path("successRate");
    if (!rate.isMissingNode()) {
      out.setEnforcingSuccessRate(UInt32Value.of(100));
      if (rate.has("minimumHosts")) {
        out.setSuccessRateMinimumHosts(UInt32Value.of(rate.path("minimumHosts").asInt()));
      }
      if (rate.has("requestVolume")) {
        out.setSuccessRateRequestVolume(UInt32Value.of(rate.path("requestVolume").asInt()));
      }
      if (rate.has("standardDeviationFactor")) {
        // Envoy takes the factor times 1000
        out.setSuccessRateStdevFactor(UInt32Value.of((int) Math.round(Values.percent(rate.path("standardDeviationFactor")) * 1000)));
      }
    }
    JsonNode percentage = detectors.path("failurePercentage");
    if (!percentage.isMissingNode()) {
      out.setEnforcingFailurePercentage(UInt32Value.of(100));
      if (percentage.has("minimumHosts")) {
        out.setFailurePercentageMinimumHosts(UInt32Value.of(percentage.path("minimumHosts").asInt()));
      }
      if (percentage.has("requestVolume")) {
        out.setFailurePercentageRequestVolume(UInt32Value.of(percentage.path("requestVolume").asInt()));
      }
      if (percentage.has("threshold")) {
        out.setFailurePercentageThreshold(UInt32Value.of(percentage.path("threshold").asInt()));
      }
    }
    return out.build();
  }

  private static void limit(JsonNode limits, String field, java.util.function.Consumer<UInt32Value> set) {
    if (limits.has(field)) {
      set.accept(UInt32Value.of(limits.path(field).asInt()));
    }
  }
}
