package io.kodiak.policy.meshfaultinjection;

import io.kodiak.policy.core.module.PolicyModule;
import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultRateLimit;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.policy.core.envoy.ListenerEdits;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.proxy.Protocol;

/**
 * MeshFaultInjection: one Envoy fault filter per {@code http[]} item (abort, delay, response
 * bandwidth, each for its percentage of requests), before the router of HTTP inbounds
 * ({@code from[]}/{@code rules[]}) and outbounds ({@code to[]}).
 */
final class MeshFaultInjectionPlugin implements PolicyModule.Plugin<JsonNode> {
  static final String FAULT_FILTER = "envoy.filters.http.fault";

  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    if (!rules.matched().isEmpty()) {
      ListenerEdits.inbound(resources, rules, MeshFaultInjectionPlugin::configure);
      ListenerEdits.outbound(resources, rules, MeshFaultInjectionPlugin::configure);
    }
  }

  static Listener configure(Listener listener, JsonNode conf, Protocol protocol, String statPrefix) {
    if (!protocol.isHttp() || !conf.path("http").isArray()) {
      return listener;
    }
    return Hcms.editHcm(listener, hcm -> {
      HttpConnectionManager out = hcm;
      for (JsonNode fault : conf.path("http")) {
        out = Hcms.withFilterBeforeRouter(out, HttpFilter.newBuilder().setName(FAULT_FILTER)
            .setTypedConfig(com.google.protobuf.Any.pack(fault(fault))).build());
      }
      return out;
    });
  }

  private static HTTPFault fault(JsonNode conf) {
    HTTPFault.Builder out = HTTPFault.newBuilder();
    JsonNode abort = conf.path("abort");
    if (!abort.isMissingNode()) {
      out.setAbort(FaultAbort.newBuilder().setHttpStatus(abort.path("httpStatus").asInt())
          .setPercentage(Values.fraction(abort.path("percentage"))));
    }
    JsonNode delay = conf.path("delay");
    if (!delay.isMissingNode()) {
      out.setDelay(FaultDelay.newBuilder().setFixedDelay(Values.duration(delay.path("value")))
          .setPercentage(Values.fraction(delay.path("percentage"))));
    }
    JsonNode bandwidth = conf.path("responseBandwidth");
    if (!bandwidth.isMissingNode()) {
      out.setResponseRateLimit(FaultRateLimit.newBuilder()
          .setFixedLimit(FaultRateLimit.FixedLimit.newBuilder().setLimitKbps(kbps(bandwidth.path("limit").asText())))
          .setPercentage(Values.fraction(bandwidth.path("percentage"))));
    }
    return out.build();
  }

  /** {@code 10kbps}, {@code 5Mbps}, {@code 1Gbps} (validated) in the kilo-units Envoy takes. */
  static long kbps(String limit) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([kMG])bps").matcher(limit.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a bandwidth: " + limit);
    }
    long value = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "G" -> value * 1_000_000;
      case "M" -> value * 1_000;
      default -> value;
    };
  }
}
