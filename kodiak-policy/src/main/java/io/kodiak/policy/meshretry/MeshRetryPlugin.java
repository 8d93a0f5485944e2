package io.kodiak.policy.meshretry;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.extensions.retry.host.omit_host_metadata.v3.OmitHostMetadataConfig;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.policy.core.envoy.Headers;
import io.kodiak.policy.core.envoy.RouteEdits;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.Conf;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.policy.meshretry.MeshRetryConf.BackOff;
import io.kodiak.policy.meshretry.MeshRetryConf.HeaderMatch;
import io.kodiak.policy.meshretry.MeshRetryConf.HostSelection;
import io.kodiak.policy.meshretry.MeshRetryConf.Http;
import io.kodiak.policy.meshretry.MeshRetryConf.RateLimitedBackOff;
import io.kodiak.policy.meshretry.MeshRetryConf.ResetHeader;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import io.kodiak.xds.proxy.Protocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * MeshRetry on outbounds: a retry policy on each HTTP route (the {@code grpc} block for gRPC
 * services, {@code http} otherwise) and connect attempts on TCP proxies.
 */
final class MeshRetryPlugin implements PolicyModule.Plugin<MeshRetryConf> {
  /**
   * What Envoy retries when a policy names no condition: failures that never reached the
   * application.
   */
  static final String DEFAULT_HTTP_RETRY_ON = "gateway-error,connect-failure,refused-stream";

  static final String DEFAULT_GRPC_RETRY_ON = "unavailable,cancelled,resource-exhausted";

  /** Kuma's base interval when a back-off sets only its maximum. */
  private static final Duration DEFAULT_BASE_INTERVAL = Duration.ofMillis(25);

  private static final int DEFAULT_UPDATE_FREQUENCY = 2;
  private static final Map<String, String> HTTP_CONDITIONS =
      Map.ofEntries(
          Map.entry("5xx", "5xx"),
          Map.entry("GatewayError", "gateway-error"),
          Map.entry("Reset", "reset"),
          Map.entry("Retriable4xx", "retriable-4xx"),
          Map.entry("ConnectFailure", "connect-failure"),
          Map.entry("EnvoyRatelimited", "envoy-ratelimited"),
          Map.entry("RefusedStream", "refused-stream"),
          Map.entry("Http3PostConnectFailure", "http3-post-connect-failure"));
  private static final Map<String, String> GRPC_CONDITIONS =
      Map.of(
          "Canceled",
          "cancelled",
          "DeadlineExceeded",
          "deadline-exceeded",
          "Internal",
          "internal",
          "ResourceExhausted",
          "resource-exhausted",
          "Unavailable",
          "unavailable");
  private static final String METHOD_CONDITION = "HttpMethod";

  @Override
  public void apply(ProxyResources resources, PolicyRules<MeshRetryConf> rules) {
    for (OutboundTarget target : resources.outbounds()) {
      Conf<MeshRetryConf> conf = rules.to(target.service());
      Protocol protocol = target.protocol();
      if (protocol.isHttp()) {
        RouteEdits.outbound(
            resources,
            target,
            route -> {
              Http block =
                  block(
                      conf.then(rules.toRoute(route.getName(), target.service())).value(),
                      protocol);
              return block == null || !route.hasRoute()
                  ? route
                  : route.toBuilder()
                      .setRoute(
                          route.getRoute().toBuilder().setRetryPolicy(policy(block, protocol)))
                      .build();
            });
      } else if (conf.value().tcp() != null && conf.value().tcp().maxConnectAttempt() != null) {
        Listener listener = resources.listeners().get(target.listener());
        int attempts = conf.value().tcp().maxConnectAttempt();
        if (listener != null) {
          resources.listener(
              Hcms.editTcpProxy(
                  listener,
                  tcp -> tcp.toBuilder().setMaxConnectAttempts(UInt32Value.of(attempts)).build()));
        }
      }
    }
  }

  /**
   * The block for the service's protocol ({@code grpc} for gRPC, {@code http} otherwise); null when
   * unset.
   */
  private static Http block(MeshRetryConf conf, Protocol protocol) {
    if (protocol != Protocol.GRPC) {
      return conf.http();
    }
    return conf.grpc() == null ? null : conf.grpc().asHttp();
  }

  static RetryPolicy policy(Http conf, Protocol protocol) {
    RetryPolicy.Builder out = RetryPolicy.newBuilder();
    List<String> conditions = new ArrayList<>();
    for (String value : orEmpty(conf.retryOn())) { // values were validated against these tables
      if (value.matches("\\d{3}")) {
        out.addRetriableStatusCodes(Integer.parseInt(value));
        conditions.add("retriable-status-codes");
      } else if (protocol == Protocol.GRPC) {
        conditions.add(GRPC_CONDITIONS.get(value));
      } else if (value.startsWith(METHOD_CONDITION)) {
        // "retry only these methods": a request header condition on :method
        out.addRetriableRequestHeaders(
            HeaderMatcher.newBuilder()
                .setName(":method")
                .setStringMatch(
                    StringMatcher.newBuilder()
                        .setExact(
                            value.substring(METHOD_CONDITION.length()).toUpperCase(Locale.ROOT))));
      } else {
        conditions.add(HTTP_CONDITIONS.get(value));
      }
    }
    if (conf.retriableResponseHeaders() != null) {
      conditions.add("retriable-headers");
      conf.retriableResponseHeaders().forEach(h -> out.addRetriableHeaders(matcher(h)));
    }
    orEmpty(conf.retriableRequestHeaders())
        .forEach(h -> out.addRetriableRequestHeaders(matcher(h)));
    out.setRetryOn(
        conditions.isEmpty()
            ? (protocol == Protocol.GRPC ? DEFAULT_GRPC_RETRY_ON : DEFAULT_HTTP_RETRY_ON)
            : String.join(",", conditions.stream().distinct().toList()));
    if (conf.numRetries() != null) {
      out.setNumRetries(UInt32Value.of(conf.numRetries()));
    }
    if (conf.perTryTimeout() != null) {
      out.setPerTryTimeout(Values.duration(conf.perTryTimeout()));
    }
    BackOff backOff = conf.backOff();
    if (backOff != null && (backOff.baseInterval() != null || backOff.maxInterval() != null)) {
      RetryPolicy.RetryBackOff.Builder b =
          RetryPolicy.RetryBackOff.newBuilder()
              .setBaseInterval(
                  Values.duration(
                      backOff.baseInterval() != null
                          ? backOff.baseInterval()
                          : DEFAULT_BASE_INTERVAL));
      if (backOff.maxInterval() != null) {
        b.setMaxInterval(Values.duration(backOff.maxInterval()));
      }
      out.setRetryBackOff(b);
    }
    RateLimitedBackOff limited = conf.rateLimitedBackOff();
    if (limited != null && limited.resetHeaders() != null) {
      RetryPolicy.RateLimitedRetryBackOff.Builder b =
          RetryPolicy.RateLimitedRetryBackOff.newBuilder();
      for (ResetHeader header : limited.resetHeaders()) {
        b.addResetHeaders(
            RetryPolicy.ResetHeader.newBuilder()
                .setName(header.name())
                .setFormat(
                    "UnixTimestamp".equals(header.format())
                        ? RetryPolicy.ResetHeaderFormat.UNIX_TIMESTAMP
                        : RetryPolicy.ResetHeaderFormat.SECONDS));
      }
      if (limited.maxInterval() != null) {
        b.setMaxInterval(Values.duration(limited.maxInterval()));
      }
      out.setRateLimitedRetryBackOff(b);
    }
    orEmpty(conf.hostSelection()).forEach(selection -> hostSelection(out, selection));
    if (conf.hostSelectionMaxAttempts() != null) {
      out.setHostSelectionRetryMaxAttempts(conf.hostSelectionMaxAttempts());
    }
    return out.build();
  }

  private static void hostSelection(RetryPolicy.Builder out, HostSelection selection) {
    switch (selection.predicate()) { // required by the schema
      case "OmitPreviousHosts" ->
          out.addRetryHostPredicate(
              RetryPolicy.RetryHostPredicate.newBuilder()
                  .setName("envoy.retry_host_predicates.previous_hosts")
                  .setTypedConfig(Any.pack(PreviousHostsPredicate.getDefaultInstance())));
      case "OmitHostsWithTags" -> {
        Struct.Builder tags = Struct.newBuilder();
        if (selection.tags() != null) {
          selection
              .tags()
              .forEach((k, v) -> tags.putFields(k, Value.newBuilder().setStringValue(v).build()));
        }
        out.addRetryHostPredicate(
            RetryPolicy.RetryHostPredicate.newBuilder()
                .setName("envoy.retry_host_predicates.omit_host_metadata")
                .setTypedConfig(
                    Any.pack(
                        OmitHostMetadataConfig.newBuilder()
                            .setMetadataMatch(
                                Metadata.newBuilder().putFilterMetadata("envoy.lb", tags.build()))
                            .build())));
      }
      case "OmitPreviousPriorities" ->
          out.setRetryPriority(
              RetryPolicy.RetryPriority.newBuilder()
                  .setName("envoy.retry_priorities.previous_priorities")
                  .setTypedConfig(
                      Any.pack(
                          PreviousPrioritiesConfig.newBuilder()
                              .setUpdateFrequency(
                                  selection.updateFrequency() != null
                                      ? selection.updateFrequency()
                                      : DEFAULT_UPDATE_FREQUENCY)
                              .build())));
      default -> {}
    }
  }

  private static HeaderMatcher matcher(HeaderMatch match) {
    return Headers.matcher(match.type(), match.name(), match.value());
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
