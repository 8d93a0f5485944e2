package io.kodiak.policy.meshratelimit;

import io.kodiak.policy.core.module.PolicyModule;
import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.TokenBucket;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.policy.core.envoy.Headers;
import io.kodiak.policy.core.envoy.ListenerEdits;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.proxy.Protocol;

/**
 * MeshRateLimit (local): a token bucket per listener — Envoy's HTTP local rate limit before the
 * router (answering the configured status, 429 by default) for HTTP, or the network local rate
 * limit before the TCP proxy (closing connections over the rate) for TCP. Inbounds take
 * {@code from[]}/{@code rules[]}, outbounds {@code to[]}.
 */
final class MeshRateLimitPlugin implements PolicyModule.Plugin<JsonNode> {
  static final String HTTP_FILTER = "envoy.filters.http.local_ratelimit";
  static final String TCP_FILTER = "envoy.filters.network.local_ratelimit";

  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    if (!rules.matched().isEmpty()) {
      ListenerEdits.inbound(resources, rules, MeshRateLimitPlugin::configure);
      ListenerEdits.outbound(resources, rules, MeshRateLimitPlugin::configure);
    }
  }

  static Listener configure(Listener listener, JsonNode conf, Protocol protocol, String statPrefix) {
    JsonNode local = conf.path("local");
    if (protocol.isHttp()) {
      JsonNode http = local.path("http");
      if (http.isMissingNode() || http.path("disabled").asBoolean(false) || !http.has("requestRate")) {
        return listener;
      }
      LocalRateLimit.Builder limit = LocalRateLimit.newBuilder()
          .setStatPrefix(statPrefix + "_rate_limit")
          .setTokenBucket(bucket(http.path("requestRate")))
          .setFilterEnabled(always("local_rate_limit_enabled"))
          .setFilterEnforced(always("local_rate_limit_enforced"));
      JsonNode onLimit = http.path("onRateLimit");
      if (onLimit.has("status")) {
        limit.setStatus(HttpStatus.newBuilder().setCodeValue(onLimit.path("status").asInt()));
      }
      onLimit.path("headers").path("set").forEach(h -> limit.addResponseHeadersToAdd(Headers.option(h, false)));
      onLimit.path("headers").path("add").forEach(h -> limit.addResponseHeadersToAdd(Headers.option(h, true)));
      HttpFilter filter = HttpFilter.newBuilder().setName(HTTP_FILTER)
          .setTypedConfig(com.google.protobuf.Any.pack(limit.build())).build();
      return Hcms.editHcm(listener, hcm -> Hcms.withFilterBeforeRouter(hcm, filter));
    }
    JsonNode tcp = local.path("tcp");
    if (tcp.isMissingNode() || tcp.path("disabled").asBoolean(false) || !tcp.has("connectionRate")) {
      return listener;
    }
    var limit = io.envoyproxy.envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit.newBuilder()
        .setStatPrefix(statPrefix + "_rate_limit")
        .setTokenBucket(bucket(tcp.path("connectionRate")))
        .build();
    return Hcms.beforeTcpProxy(listener, Filter.newBuilder().setName(TCP_FILTER)
        .setTypedConfig(com.google.protobuf.Any.pack(limit)).build());
  }

  /** {@code num} requests (or connections) per {@code interval}, as a bucket refilled whole each interval. */
  private static TokenBucket bucket(JsonNode rate) {
    int num = rate.path("num").asInt();
    return TokenBucket.newBuilder().setMaxTokens(num)
        .setTokensPerFill(com.google.protobuf.UInt32Value.of(num))
        .setFillInterval(Values.duration(rate.path("interval")))
        .build();
  }

  private static RuntimeFractionalPercent always(String runtimeKey) {
    return RuntimeFractionalPercent.newBuilder().setRuntimeKey(runtimeKey)
        .setDefaultValue(FractionalPercent.newBuilder().setNumerator(100)
            .setDenominator(FractionalPercent.DenominatorType.HUNDRED))
        .build();
  }
}
