package io.kodiak.policy.meshfaultinjection;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultRateLimit;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.policy.core.envoy.ListenerEdits;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.policy.meshfaultinjection.MeshFaultInjectionConf.Fault;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.proxy.Protocol;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MeshFaultInjection: one Envoy fault filter per {@code http[]} item (abort, delay, response
 * bandwidth, each for its percentage of requests), before the router of HTTP inbounds ({@code
 * from[]}/{@code rules[]}) and outbounds ({@code to[]}).
 */
final class MeshFaultInjectionPlugin implements PolicyModule.Plugin<MeshFaultInjectionConf> {
  static final String FAULT_FILTER = "envoy.filters.http.fault";
  private static final Pattern BANDWIDTH = Pattern.compile("(\\d+)([kMG])bps");

  @Override
  public void apply(ProxyResources resources, PolicyRules<MeshFaultInjectionConf> rules) {
    if (!rules.matched().isEmpty()) {
      ListenerEdits.inbound(resources, rules, MeshFaultInjectionPlugin::configure);
      ListenerEdits.outbound(resources, rules, MeshFaultInjectionPlugin::configure);
    }
  }

  static Listener configure(
      Listener listener, MeshFaultInjectionConf conf, Protocol protocol, String statPrefix) {
    if (!protocol.isHttp() || conf.http() == null) {
      return listener;
    }
    return Hcms.editHcm(
        listener,
        hcm -> {
          HttpConnectionManager out = hcm;
          for (Fault fault : conf.http()) {
            out =
                Hcms.withFilterBeforeRouter(
                    out,
                    HttpFilter.newBuilder()
                        .setName(FAULT_FILTER)
                        .setTypedConfig(Any.pack(fault(fault)))
                        .build());
          }
          return out;
        });
  }

  private static HTTPFault fault(Fault fault) {
    HTTPFault.Builder out = HTTPFault.newBuilder();
    if (fault.abort() != null) {
      out.setAbort(
          FaultAbort.newBuilder()
              .setHttpStatus(fault.abort().httpStatus())
              .setPercentage(Values.fraction(fault.abort().percentage())));
    }
    if (fault.delay() != null) {
      out.setDelay(
          FaultDelay.newBuilder()
              .setFixedDelay(Values.duration(fault.delay().value()))
              .setPercentage(Values.fraction(fault.delay().percentage())));
    }
    if (fault.responseBandwidth() != null) {
      out.setResponseRateLimit(
          FaultRateLimit.newBuilder()
              .setFixedLimit(
                  FaultRateLimit.FixedLimit.newBuilder()
                      .setLimitKbps(kbps(fault.responseBandwidth().limit())))
              .setPercentage(Values.fraction(fault.responseBandwidth().percentage())));
    }
    return out.build();
  }

  /** {@code 10kbps}, {@code 5Mbps}, {@code 1Gbps} (validated) in the kilo-units Envoy takes. */
  static long kbps(String limit) {
    Matcher m = BANDWIDTH.matcher(limit.trim());
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
