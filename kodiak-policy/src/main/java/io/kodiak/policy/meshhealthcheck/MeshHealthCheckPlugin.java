package io.kodiak.policy.meshhealthcheck;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.health_check.event_sinks.file.v3.HealthCheckEventFileSink;
import io.envoyproxy.envoy.type.v3.Int64Range;
import io.kodiak.policy.core.envoy.ClusterEdits;
import io.kodiak.policy.core.envoy.Headers;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.policy.meshhealthcheck.MeshHealthCheckConf.HeadersToAdd;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.proxy.Protocol;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * MeshHealthCheck: an active health check on each service cluster, by the service's protocol — gRPC
 * health checking for gRPC, HTTP for HTTP, TCP otherwise (a check type that is disabled falls back
 * to TCP) — with thresholds, jitter and the panic threshold.
 */
final class MeshHealthCheckPlugin implements PolicyModule.Plugin<MeshHealthCheckConf> {
  private static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
  private static final int DEFAULT_UNHEALTHY_THRESHOLD = 5;
  private static final int DEFAULT_HEALTHY_THRESHOLD = 1;

  @Override
  public void apply(ProxyResources resources, PolicyRules<MeshHealthCheckConf> rules) {
    if (!rules.matched().isEmpty()) {
      ClusterEdits.outbound(resources, rules, MeshHealthCheckPlugin::configure);
    }
  }

  static Cluster configure(Cluster cluster, MeshHealthCheckConf conf, Protocol protocol) {
    HealthCheck.Builder check =
        HealthCheck.newBuilder()
            .setInterval(Values.duration(orElse(conf.interval(), DEFAULT_INTERVAL)))
            .setTimeout(Values.duration(orElse(conf.timeout(), DEFAULT_TIMEOUT)))
            .setUnhealthyThreshold(
                UInt32Value.of(orElse(conf.unhealthyThreshold(), DEFAULT_UNHEALTHY_THRESHOLD)))
            .setHealthyThreshold(
                UInt32Value.of(orElse(conf.healthyThreshold(), DEFAULT_HEALTHY_THRESHOLD)));
    if (conf.initialJitter() != null) {
      check.setInitialJitter(Values.duration(conf.initialJitter()));
    }
    if (conf.intervalJitter() != null) {
      check.setIntervalJitter(Values.duration(conf.intervalJitter()));
    }
    if (conf.intervalJitterPercent() != null) {
      check.setIntervalJitterPercent(conf.intervalJitterPercent());
    }
    if (conf.noTrafficInterval() != null) {
      check.setNoTrafficInterval(Values.duration(conf.noTrafficInterval()));
    }
    if (conf.reuseConnection() != null) {
      check.setReuseConnection(BoolValue.of(conf.reuseConnection()));
    }
    check.setAlwaysLogHealthCheckFailures(Boolean.TRUE.equals(conf.alwaysLogHealthCheckFailures()));
    MeshHealthCheckConf.Grpc grpc = conf.grpcOrNone();
    MeshHealthCheckConf.Http http = conf.httpOrNone();
    MeshHealthCheckConf.Tcp tcp = conf.tcpOrNone();
    if (protocol == Protocol.GRPC && !Boolean.TRUE.equals(grpc.disabled())) {
      HealthCheck.GrpcHealthCheck.Builder g = HealthCheck.GrpcHealthCheck.newBuilder();
      if (grpc.serviceName() != null) {
        g.setServiceName(grpc.serviceName());
      }
      if (grpc.authority() != null) {
        g.setAuthority(grpc.authority());
      }
      check.setGrpcHealthCheck(g);
    } else if (protocol.isHttp()
        && protocol != Protocol.GRPC
        && !Boolean.TRUE.equals(http.disabled())) {
      HealthCheck.HttpHealthCheck.Builder h =
          HealthCheck.HttpHealthCheck.newBuilder().setPath(orElse(http.path(), "/"));
      for (int status : orEmpty(http.expectedStatuses())) {
        h.addExpectedStatuses(Int64Range.newBuilder().setStart(status).setEnd(status + 1));
      }
      HeadersToAdd headers = http.requestHeadersToAdd();
      if (headers != null) {
        orEmpty(headers.set())
            .forEach(x -> h.addRequestHeadersToAdd(Headers.overwrite(x.name(), x.value())));
        orEmpty(headers.add())
            .forEach(x -> h.addRequestHeadersToAdd(Headers.append(x.name(), x.value())));
      }
      check.setHttpHealthCheck(h);
    } else if (!Boolean.TRUE.equals(tcp.disabled())) {
      HealthCheck.TcpHealthCheck.Builder t = HealthCheck.TcpHealthCheck.newBuilder();
      if (tcp.send() != null) {
        t.setSend(payload(tcp.send()));
      }
      orEmpty(tcp.receive()).forEach(r -> t.addReceive(payload(r)));
      check.setTcpHealthCheck(t);
    } else {
      return cluster; // every check type disabled
    }
    if (conf.eventLogPath() != null) {
      check.addEventLogger(
          TypedExtensionConfig.newBuilder()
              .setName("envoy.health_check.event_sinks.file")
              .setTypedConfig(
                  Any.pack(
                      HealthCheckEventFileSink.newBuilder()
                          .setEventLogPath(conf.eventLogPath())
                          .build())));
    }
    Cluster.Builder out = cluster.toBuilder().clearHealthChecks().addHealthChecks(check);
    if (conf.healthyPanicThreshold() != null) {
      out.setCommonLbConfig(
          out.getCommonLbConfig().toBuilder()
              .setHealthyPanicThreshold(Values.envoyPercent(conf.healthyPanicThreshold())));
    }
    if (conf.failTrafficOnPanic() != null) {
      out.setCommonLbConfig(
          out.getCommonLbConfig().toBuilder()
              .setZoneAwareLbConfig(
                  out.getCommonLbConfig().getZoneAwareLbConfig().toBuilder()
                      .setFailTrafficOnPanic(conf.failTrafficOnPanic())));
    }
    return out.build();
  }

  /** Kuma gives TCP payloads base64-encoded (checked by the validator); Envoy wants hex. */
  private static HealthCheck.Payload payload(String base64) {
    return HealthCheck.Payload.newBuilder()
        .setText(HexFormat.of().formatHex(Base64.getDecoder().decode(base64)))
        .build();
  }

  private static <T> T orElse(T value, T fallback) {
    return value != null ? value : fallback;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
