package io.kodiak.policy.meshretry;

import io.kodiak.policy.core.module.PolicyModule;
import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.retry.host.omit_host_metadata.v3.OmitHostMetadataConfig;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.policy.core.envoy.Headers;
import io.kodiak.policy.core.envoy.RouteEdits;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.rules.Conf;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import io.kodiak.xds.proxy.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MeshRetry on outbounds: a retry policy on each HTTP route (the {@code grpc} block for gRPC
 * services, {@code http} otherwise) and connect attempts on TCP proxies.
 */
final class MeshRetryPlugin implements PolicyModule.Plugin<JsonNode> {
  /** What Envoy retries when a policy names no condition: failures that never reached the application. */
  static final String DEFAULT_HTTP_RETRY_ON = "gateway-error,connect-failure,refused-stream";
  static final String DEFAULT_GRPC_RETRY_ON = "unavailable,cancelled,resource-exhausted";
  private static final Map<String, String> HTTP_CONDITIONS = Map.ofEntries(
      Map.entry("5xx", "5xx"), Map.entry("GatewayError", "gateway-error"), Map.entry("Reset", "reset"),
      Map.entry("Retriable4xx", "retriable-4xx"), Map.entry("ConnectFailure", "connect-failure"),
      Map.entry("EnvoyRatelimited", "envoy-ratelimited"), Map.entry("RefusedStream", "refused-stream"),
      Map.entry("Http3PostConnectFailure", "http3-post-connect-failure"));
  private static final Map<String, String> GRPC_CONDITIONS = Map.of("Canceled", "cancelled",
      "DeadlineExceeded", "deadline-exceeded", "Internal", "internal", "ResourceExhausted", "resource-exhausted",
      "Unavailable", "unavailable");
  private static final String METHOD_CONDITION = "HttpMethod";

  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    if (rules.matched().isEmpty() && rules.routeTargeted().isEmpty()) {
      return;
    }
    for (OutboundTarget target : resources.outbounds()) {
      Conf<JsonNode> conf = rules.to(target.service());
      if (target.protocol().isHttp()) {
        boolean grpc = target.protocol() == Protocol.GRPC;
        RouteEdits.outbound(resources, target, route -> {
          JsonNode merged = conf.then(rules.toRoute(route.getName(), target.service())).conf();
          JsonNode block = merged.path(grpc ? "grpc" : "http");
          return block.isMissingNode() || !route.hasRoute() ? route
              : route.toBuilder().setRoute(route.getRoute().toBuilder().setRetryPolicy(policy(block, grpc))).build();
        });
      } else if (conf.conf().path("tcp").has("maxConnectAttempt")) {
        Listener listener = resources.listeners().get(target.listener());
        int attempts = conf.conf().path("tcp").path("maxConnectAttempt").asInt();
        if (listener != null) {
          resources.listener(Hcms.editTcpProxy(listener, tcp -> tcp.toBuilder()
              .setMaxConnectAttempts(com.google.protobuf.UInt32Value.of(attempts)).build()));
        }
      }
    }
  }

  static RetryPolicy policy(JsonNode conf, boolean grpc) {
    RetryPolicy.Builder out = RetryPolicy.newBuilder();
    List<String> conditions = new ArrayList<>();
    for (JsonNode on : conf.path("retryOn")) { // values were validated against these tables
      String value = on.asText();
      if (value.matches("\\d{3}")) {
        out.addRetriableStatusCodes(Integer.parseInt(value));
        conditions.add("retriable-status-codes");
      } else if (grpc) {
        conditions.add(GRPC_CONDITIONS.get(value));
      } else if (value.startsWith(METHOD_CONDITION)) {
        // "retry only these methods": a request header condition on :method
        out.addRetriableRequestHeaders(io.envoyproxy.envoy.config.route.v3.HeaderMatcher.newBuilder().setName(":method")
            .setStringMatch(io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder()
                .setExact(value.substring(METHOD_CONDITION.length()).toUpperCase(java.util.Locale.ROOT))));
      } else {
        conditions.add(HTTP_CONDITIONS.get(value));
      }
    }
    if (conf.has("retriableResponseHeaders")) {
      conditions.add("retriable-headers");
      conf.path("retriableResponseHeaders").forEach(h -> out.addRetriableHeaders(Headers.matcher(h)));
    }
    conf.path("retriableRequestHeaders").forEach(h -> out.addRetriableRequestHeaders(Headers.matcher(h)));
    out.setRetryOn(conditions.isEmpty() ? (grpc ? DEFAULT_GRPC_RETRY_ON : DEFAULT_HTTP_RETRY_ON)
        : String.join(",", conditions.stream().distinct().toList()));
    if (conf.has("numRetries")) {
      out.setNumRetries(com.google.protobuf.UInt32Value.of(conf.path("numRetries").asInt()));
    }
    if (conf.has("perTryTimeout")) {
      out.setPerTryTimeout(Values.duration(conf.path("perTryTimeout")));
    }
    JsonNode backOff = conf.path("backOff");
    if (backOff.has("baseInterval") || backOff.has("maxInterval")) {
      RetryPolicy.RetryBackOff.Builder b = RetryPolicy.RetryBackOff.newBuilder()
          .setBaseInterval(Values.duration(backOff.has("baseInterval") ? backOff.path("baseInterval")
              : com.fasterxml.jackson.databind.node.TextNode.valueOf("25ms")));
      if (backOff.has("maxInterval")) {
        b.setMaxInterval(Values.duration(backOff.path("maxInterval")));
      }
      out.setRetryBackOff(b);
    }
    JsonNode limited = conf.path("rateLimitedBackOff");
    if (limited.has("resetHeaders")) {
      RetryPolicy.RateLimitedRetryBackOff.Builder b = RetryPolicy.RateLimitedRetryBackOff.newBuilder();
      limited.path("resetHeaders").forEach(h -> b.addResetHeaders(RetryPolicy.ResetHeader.newBuilder()
          .setName(h.path("name").asText())
          .setFormat(h.path("format").asText().equals("UnixTimestamp") ? RetryPolicy.ResetHeaderFormat.UNIX_TIMESTAMP
              : RetryPolicy.ResetHeaderFormat.SECONDS)));
      if (limited.has("maxInterval")) {
        b.setMaxInterval(Values.duration(limited.path("maxInterval")));
      }
      out.setRateLimitedRetryBackOff(b);
    }
    for (JsonNode selection : conf.path("hostSelection")) {
      switch (selection.path("predicate").asText()) {
        case "OmitPreviousHosts" -> out.addRetryHostPredicate(RetryPolicy.RetryHostPredicate.newBuilder()
            .setName("envoy.retry_host_predicates.previous_hosts")
            .setTypedConfig(com.google.protobuf.Any.pack(PreviousHostsPredicate.getDefaultInstance())));
        case "OmitHostsWithTags" -> {
          com.google.protobuf.Struct.Builder tags = com.google.protobuf.Struct.newBuilder();
          selection.path("tags").fields().forEachRemaining(t -> tags.putFields(t.getKey(),
              com.google.protobuf.Value.newBuilder().setStringValue(t.getValue().asText()).build()));
          out.addRetryHostPredicate(RetryPolicy.RetryHostPredicate.newBuilder()
              .setName("envoy.retry_host_predicates.omit_host_metadata")
              .setTypedConfig(com.google.protobuf.Any.pack(OmitHostMetadataConfig.newBuilder()
                  .setMetadataMatch(io.envoyproxy.envoy.config.core.v3.Metadata.newBuilder()
                      .putFilterMetadata("envoy.lb", tags.build())).build())));
        }
        case "OmitPreviousPriorities" -> out.setRetryPriority(RetryPolicy.RetryPriority.newBuilder()
            .setName("envoy.retry_priorities.previous_priorities")
            .setTypedConfig(com.google.protobuf.Any.pack(PreviousPrioritiesConfig.newBuilder()
                .setUpdateFrequency(selection.path("updateFrequency").asInt(2)).build())));
        default -> { }
      }
    }
    if (conf.has("hostSelectionMaxAttempts")) {
      out.setHostSelectionRetryMaxAttempts(conf.path("hostSelectionMaxAttempts").asLong());
    }
    return out.build();
  }
}
