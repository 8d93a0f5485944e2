package io.kodiak.policy.meshratelimit;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.TokenBucket;
import io.kodiak.policy.core.Lists;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.policy.core.envoy.Headers;
import io.kodiak.policy.core.envoy.ListenerEdits;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.policy.meshratelimit.MeshRateLimitConf.Header;
import io.kodiak.policy.meshratelimit.MeshRateLimitConf.Local;
import io.kodiak.policy.meshratelimit.MeshRateLimitConf.OnRateLimit;
import io.kodiak.policy.meshratelimit.MeshRateLimitConf.Rate;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.proxy.Protocol;

/**
 * MeshRateLimit (local): a token bucket per listener — Envoy's HTTP local rate limit before the
 * router (answering the configured status, 429 by default) for HTTP, or the network local rate
 * limit before the TCP proxy (closing connections over the rate) for TCP. Inbounds take {@code
 * from[]}/{@code rules[]}, outbounds {@code to[]}.
 */
final class MeshRateLimitPlugin implements PolicyModule.Plugin<MeshRateLimitConf> {
  static final String HTTP_FILTER = "envoy.filters.http.local_ratelimit";
  static final String TCP_FILTER = "envoy.filters.network.local_ratelimit";

  @Override
  public void apply(ProxyResources resources, PolicyRules<MeshRateLimitConf> rules) {
    if (!rules.matched().isEmpty()) {
      ListenerEdits.inbound(resources, rules, MeshRateLimitPlugin::configure);
      ListenerEdits.outbound(resources, rules, MeshRateLimitPlugin::configure);
    }
  }

  static Listener configure(
      Listener listener, MeshRateLimitConf conf, Protocol protocol, String statPrefix) {
    Local local = conf.local() == null ? new Local(null, null) : conf.local();
    return protocol.isHttp()
        ? http(listener, local.http(), statPrefix)
        : tcp(listener, local.tcp(), statPrefix);
  }

  private static Listener http(Listener listener, MeshRateLimitConf.Http http, String statPrefix) {
    if (http == null || Boolean.TRUE.equals(http.disabled()) || http.requestRate() == null) {
      return listener;
    }
    LocalRateLimit.Builder limit =
        LocalRateLimit.newBuilder()
            .setStatPrefix(statPrefix + "_rate_limit")
            .setTokenBucket(bucket(http.requestRate()))
            .setFilterEnabled(always("local_rate_limit_enabled"))
            .setFilterEnforced(always("local_rate_limit_enforced"));
    OnRateLimit onLimit = http.onRateLimit();
    if (onLimit != null && onLimit.status() != null) {
      limit.setStatus(HttpStatus.newBuilder().setCodeValue(onLimit.status()));
    }
    if (onLimit != null && onLimit.headers() != null) {
      for (Header header : Lists.orEmpty(onLimit.headers().set())) {
        limit.addResponseHeadersToAdd(Headers.overwrite(header.name(), header.value()));
      }
      for (Header header : Lists.orEmpty(onLimit.headers().add())) {
        limit.addResponseHeadersToAdd(Headers.append(header.name(), header.value()));
      }
    }
    HttpFilter filter =
        HttpFilter.newBuilder()
            .setName(HTTP_FILTER)
            .setTypedConfig(Any.pack(limit.build()))
            .build();
    return Hcms.editHcm(listener, hcm -> Hcms.withFilterBeforeRouter(hcm, filter));
  }

  private static Listener tcp(Listener listener, MeshRateLimitConf.Tcp tcp, String statPrefix) {
    if (tcp == null || Boolean.TRUE.equals(tcp.disabled()) || tcp.connectionRate() == null) {
      return listener;
    }
    var limit =
        io.envoyproxy.envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit
            .newBuilder()
            .setStatPrefix(statPrefix + "_rate_limit")
            .setTokenBucket(bucket(tcp.connectionRate()))
            .build();
    return Hcms.beforeTcpProxy(
        listener, Filter.newBuilder().setName(TCP_FILTER).setTypedConfig(Any.pack(limit)).build());
  }

  /**
   * {@code num} requests (or connections) per {@code interval}, as a bucket refilled whole each
   * interval.
   */
  private static TokenBucket bucket(Rate rate) {
    int num = rate.num().intValue();
    return TokenBucket.newBuilder()
        .setMaxTokens(num)
        .setTokensPerFill(UInt32Value.of(num))
        .setFillInterval(Values.duration(rate.interval()))
        .build();
  }

  private static RuntimeFractionalPercent always(String runtimeKey) {
    return RuntimeFractionalPercent.newBuilder()
        .setRuntimeKey(runtimeKey)
        .setDefaultValue(
            FractionalPercent.newBuilder()
                .setNumerator(100)
                .setDenominator(FractionalPercent.DenominatorType.HUNDRED))
        .build();
  }
}
