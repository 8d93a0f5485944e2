package io.kodiak.policy.meshcircuitbreaker;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.kodiak.policy.core.envoy.ClusterEdits;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.policy.meshcircuitbreaker.MeshCircuitBreakerConf.ConnectionLimits;
import io.kodiak.policy.meshcircuitbreaker.MeshCircuitBreakerConf.Consecutive;
import io.kodiak.policy.meshcircuitbreaker.MeshCircuitBreakerConf.Detectors;
import io.kodiak.policy.meshcircuitbreaker.MeshCircuitBreakerConf.FailurePercentage;
import io.kodiak.policy.meshcircuitbreaker.MeshCircuitBreakerConf.SuccessRate;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.proxy.Protocol;
import java.util.function.Consumer;

/**
 * MeshCircuitBreaker: connection limits as Envoy circuit-breaker thresholds and outlier detection
 * with each configured detector enforced (and unconfigured ones not), on service clusters ({@code
 * to[]}) and inbound local clusters ({@code from[]}/{@code rules[]}).
 */
final class MeshCircuitBreakerPlugin implements PolicyModule.Plugin<MeshCircuitBreakerConf> {
  private static final UInt32Value ENFORCED = UInt32Value.of(100);
  private static final UInt32Value NOT_ENFORCED = UInt32Value.of(0);

  @Override
  public void apply(ProxyResources resources, PolicyRules<MeshCircuitBreakerConf> rules) {
    if (!rules.matched().isEmpty()) {
      ClusterEdits.outbound(resources, rules, MeshCircuitBreakerPlugin::configure);
      ClusterEdits.inbound(resources, rules, MeshCircuitBreakerPlugin::configure);
    }
  }

  static Cluster configure(Cluster cluster, MeshCircuitBreakerConf conf, Protocol protocol) {
    Cluster.Builder out = cluster.toBuilder();
    ConnectionLimits limits = conf.connectionLimits();
    if (limits != null) {
      CircuitBreakers.Thresholds.Builder t = CircuitBreakers.Thresholds.newBuilder();
      set(limits.maxConnections(), t::setMaxConnections);
      set(limits.maxPendingRequests(), t::setMaxPendingRequests);
      set(limits.maxRequests(), t::setMaxRequests);
      set(limits.maxRetries(), t::setMaxRetries);
      set(limits.maxConnectionPools(), t::setMaxConnectionPools);
      out.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(t));
    }
    MeshCircuitBreakerConf.OutlierDetection outlier = conf.outlierDetection();
    if (outlier != null) {
      if (Boolean.TRUE.equals(outlier.disabled())) {
        out.clearOutlierDetection();
      } else {
        out.setOutlierDetection(outlier(outlier));
      }
      if (outlier.healthyPanicThreshold() != null) {
        out.setCommonLbConfig(
            out.getCommonLbConfig().toBuilder()
                .setHealthyPanicThreshold(Values.envoyPercent(outlier.healthyPanicThreshold())));
      }
    }
    return out.build();
  }

  private static OutlierDetection outlier(MeshCircuitBreakerConf.OutlierDetection conf) {
    OutlierDetection.Builder out = OutlierDetection.newBuilder();
    if (conf.interval() != null) {
      out.setInterval(Values.duration(conf.interval()));
    }
    if (conf.baseEjectionTime() != null) {
      out.setBaseEjectionTime(Values.duration(conf.baseEjectionTime()));
    }
    set(conf.maxEjectionPercent(), out::setMaxEjectionPercent);
    out.setSplitExternalLocalOriginErrors(Boolean.TRUE.equals(conf.splitExternalAndLocalErrors()));
    Detectors detectors = conf.detectors() == null ? Detectors.NONE : conf.detectors();
    // Envoy enforces several detectors by default; only the configured ones may eject.
    out.setEnforcingConsecutive5Xx(NOT_ENFORCED)
        .setEnforcingConsecutiveGatewayFailure(NOT_ENFORCED)
        .setEnforcingConsecutiveLocalOriginFailure(NOT_ENFORCED)
        .setEnforcingSuccessRate(NOT_ENFORCED)
        .setEnforcingFailurePercentage(NOT_ENFORCED);
    consecutive(detectors.totalFailures(), out::setEnforcingConsecutive5Xx, out::setConsecutive5Xx);
    consecutive(
        detectors.gatewayFailures(),
        out::setEnforcingConsecutiveGatewayFailure,
        out::setConsecutiveGatewayFailure);
    consecutive(
        detectors.localOriginFailures(),
        out::setEnforcingConsecutiveLocalOriginFailure,
        out::setConsecutiveLocalOriginFailure);
    SuccessRate rate = detectors.successRate();
    if (rate != null) {
      out.setEnforcingSuccessRate(ENFORCED);
      set(rate.minimumHosts(), out::setSuccessRateMinimumHosts);
      set(rate.requestVolume(), out::setSuccessRateRequestVolume);
      if (rate.standardDeviationFactor() != null) {
        // Envoy takes the factor times 1000
        out.setSuccessRateStdevFactor(
            UInt32Value.of(
                (int) Math.round(Values.percent(rate.standardDeviationFactor()) * 1000)));
      }
    }
    FailurePercentage percentage = detectors.failurePercentage();
    if (percentage != null) {
      out.setEnforcingFailurePercentage(ENFORCED);
      set(percentage.minimumHosts(), out::setFailurePercentageMinimumHosts);
      set(percentage.requestVolume(), out::setFailurePercentageRequestVolume);
      set(percentage.threshold(), out::setFailurePercentageThreshold);
    }
    return out.build();
  }

  /** A consecutive-failures detector: enforced when configured, with its count when set. */
  private static void consecutive(
      Consecutive detector, Consumer<UInt32Value> enforce, Consumer<UInt32Value> count) {
    if (detector != null) {
      enforce.accept(ENFORCED);
      set(detector.consecutive(), count);
    }
  }

  /** Sets a count the conf sets; an unset one leaves Envoy's default. */
  private static void set(Integer value, Consumer<UInt32Value> setter) {
    if (value != null) {
      setter.accept(UInt32Value.of(value));
    }
  }
}
