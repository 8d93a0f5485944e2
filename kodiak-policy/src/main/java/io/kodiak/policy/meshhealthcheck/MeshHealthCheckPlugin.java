package io.kodiak.policy.meshhealthcheck;

import io.kodiak.policy.core.module.PolicyModule;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.type.v3.Int64Range;
import io.kodiak.policy.core.envoy.ClusterEdits;
import io.kodiak.policy.core.envoy.Headers;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.proxy.Protocol;
import java.util.HexFormat;

/**
 * MeshHealthCheck: an active health check on each service cluster, by the service's protocol —
 * gRPC health checking for gRPC, HTTP for HTTP, TCP otherwise (a check type that is disabled
 * falls back to TCP) — with thresholds, jitter and the panic threshold.
 */
final class MeshHealthCheckPlugin implements PolicyModule.Plugin<JsonNode> {
  private static final String DEFAULT_INTERVAL = "1m";
  private static final String DEFAULT_TIMEOUT = "15s";

  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    if (!rules.matched().isEmpty()) {
      ClusterEdits.outbound(resources, rules, MeshHealthCheckPlugin::configure);
    }
  }

  static Cluster configure(Cluster cluster, JsonNode conf, Protocol protocol) {
    HealthCheck.Builder check = HealthCheck.newBuilder()
        .setInterval(Values.duration(text(conf, "interval", DEFAULT_INTERVAL)))
        .setTimeout(Values.duration(text(conf, "timeout", DEFAULT_TIMEOUT)))
        .setUnhealthyThreshold(UInt32Value.of(conf.path("unhealthyThreshold").asInt(5)))
        .setHealthyThreshold(UInt32Value.of(conf.path("healthyThreshold").asInt(1)));
    if (conf.has("initialJitter")) {
      check.setInitialJitter(Values.duration(conf.path("initialJitter")));
    }
    if (conf.has("intervalJitter")) {
      check.setIntervalJitter(Values.duration(conf.path("intervalJitter")));
    }
    if (conf.has("intervalJitterPercent")) {
      check.setIntervalJitterPercent(conf.path("intervalJitterPercent").asInt());
    }
    if (conf.has("noTrafficInterval")) {
      check.setNoTrafficInterval(Values.duration(conf.path("noTrafficInterval")));
    }
    if (conf.has("reuseConnection")) {
      check.setReuseConnection(BoolValue.of(conf.path("reuseConnection").asBoolean()));
    }
    check.setAlwaysLogHealthCheckFailures(conf.path("alwaysLogHealthCheckFailures").asBoolean(false));
    JsonNode grpc = conf.path("grpc");
    JsonNode http = conf.path("http");
    if (protocol == Protocol.GRPC && !grpc.path("disabled").asBoolean(false)) {
      HealthCheck.GrpcHealthCheck.Builder g = HealthCheck.GrpcHealthCheck.newBuilder();
      if (grpc.has("serviceName")) {
        g.setServiceName(grpc.path("serviceName").asText());
      }
      if (grpc.has("authority")) {
        g.setAuthority(grpc.path("authority").asText());
      }
      check.setGrpcHealthCheck(g);
    } else if (protocol.isHttp() && protocol != Protocol.GRPC && !http.path("disabled").asBoolean(false)) {
      HealthCheck.HttpHealthCheck.Builder h = HealthCheck.HttpHealthCheck.newBuilder()
          .setPath(http.path("path").asText("/"));
      for (JsonNode status : http.path("expectedStatuses")) {
        h.addExpectedStatuses(Int64Range.newBuilder().setStart(status.asInt()).setEnd(status.asInt() + 1));
      }
      http.path("requestHeadersToAdd").path("set").forEach(x -> h.addRequestHeadersToAdd(Headers.option(x, false)));
      http.path("requestHeadersToAdd").path("add").forEach(x -> h.addRequestHeadersToAdd(Headers.option(x, true)));
      check.setHttpHealthCheck(h);
    } else if (!conf.path("tcp").path("disabled").asBoolean(false)) {
      HealthCheck.TcpHealthCheck.Builder t = HealthCheck.TcpHealthCheck.newBuilder();
      JsonNode tcp = conf.path("tcp");
      if (tcp.has("send")) {
        t.setSend(payload(tcp.path("send").asText()));
      }
      tcp.path("receive").forEach(r -> t.addReceive(payload(r.asText())));
      check.setTcpHealthCheck(t);
    } else {
      return cluster; // every check type disabled
    }
    if (conf.has("eventLogPath")) {
      check.addEventLogger(io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig.newBuilder()
          .setName("envoy.health_check.event_sinks.file")
          .setTypedConfig(com.google.protobuf.Any.pack(
              io.envoyproxy.envoy.extensions.health_check.event_sinks.file.v3.HealthCheckEventFileSink.newBuilder()
                  .setEventLogPath(conf.path("eventLogPath").asText()).build())));
    }
    Cluster.Builder out = cluster.toBuilder().clearHealthChecks().addHealthChecks(check);
    if (conf.has("healthyPanicThreshold")) {
      out.setCommonLbConfig(out.getCommonLbConfig().toBuilder()
          .setHealthyPanicThreshold(Values.envoyPercent(conf.path("healthyPanicThreshold"))));
    }
    if (conf.has("failTrafficOnPanic")) {
      out.setCommonLbConfig(out.getCommonLbConfig().toBuilder()
          .setZoneAwareLbConfig(out.getCommonLbConfig().getZoneAwareLbConfig().toBuilder()
              .setFailTrafficOnPanic(conf.path("failTrafficOnPanic").asBoolean())));
    }
    return out.build();
  }

  /** Kuma gives TCP payloads base64-encoded (checked by the validator); Envoy wants hex. */
  private static HealthCheck.Payload payload(String base64) {
    return HealthCheck.Payload.newBuilder()
        .setText(HexFormat.of().formatHex(java.util.Base64.getDecoder().decode(base64))).build();
  }

  private static JsonNode text(JsonNode conf, String field, String fallback) {
    return conf.has(field) ? conf.path(field) : com.fasterxml.jackson.databind.node.TextNode.valueOf(fallback);
  }
}
