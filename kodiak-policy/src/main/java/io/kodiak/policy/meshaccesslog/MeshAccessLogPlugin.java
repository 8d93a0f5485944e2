package io.kodiak.policy.meshaccesslog;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.CommonGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.policy.core.envoy.ServiceUrls;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.Conf;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.policy.meshaccesslog.MeshAccessLogConf.Backend;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.InboundTarget;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import io.kodiak.xds.proxy.Protocol;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * MeshAccessLog: access logs on outbounds ({@code to[]}) and inbounds ({@code from[]}/{@code
 * rules[]}), on the HTTP connection manager or the TCP proxy. On an inbound, {@code
 * %KUMA_SOURCE_SERVICE%} is the caller's service from its certificate on the mutual-TLS chain and
 * {@code unknown} on the plaintext one, as in Kuma. File backends are Envoy's file logger;
 * OpenTelemetry backends Envoy's OTLP logger; Tcp backends go to Envoy's stdout with a marker, and
 * the agent (kodiak-dp) sends each marked line to its address — Envoy has no plain TCP logger, and
 * this keeps Envoy's own formatter for every operator.
 */
final class MeshAccessLogPlugin implements PolicyModule.Plugin<MeshAccessLogConf> {
  /** Plain lines for a Tcp backend start with this, then the address and a space. */
  public static final String TCP_PREFIX = "KODIAK-TCP-LOG ";

  /** Json lines for a Tcp backend carry the address under this key (the agent removes it). */
  public static final String TCP_JSON_KEY = "@kodiak_forward_to";

  static final String OTEL_CLUSTER = "meshaccesslog_opentelemetry";

  @Override
  public void apply(ProxyResources resources, PolicyRules<MeshAccessLogConf> rules) {
    if (rules.matched().isEmpty()) {
      return;
    }
    String mesh = resources.mesh().mesh();
    String self = resources.proxy().primaryService();
    for (OutboundTarget target : resources.outbounds()) {
      LogFormats.Traffic traffic =
          new LogFormats.Traffic(
              mesh, self, target.service(), resources.proxy().address(), "OUTBOUND");
      attach(
          resources,
          target.listener(),
          rules.to(target.service()),
          target.protocol(),
          chain -> traffic);
    }
    for (InboundTarget target : resources.inbounds()) {
      LogFormats.Traffic plaintext =
          new LogFormats.Traffic(
              mesh,
              LogFormats.UNKNOWN_SOURCE,
              target.inbound().service(),
              "%DOWNSTREAM_REMOTE_ADDRESS%",
              "INBOUND");
      LogFormats.Traffic mutualTls = plaintext.withSource(LogFormats.PEER_SERVICE);
      // the TLS chain of an inbound requires a client certificate from the mesh CA: its SPIFFE ID
      // names the caller; a plaintext caller proves nothing about itself (Kuma says "unknown")
      attach(
          resources,
          target.listener(),
          rules.inbound(target.inbound()),
          target.inbound().protocol(),
          chain -> chain.hasTransportSocket() ? mutualTls : plaintext);
    }
  }

  private static void attach(
      ProxyResources resources,
      String name,
      Conf<MeshAccessLogConf> conf,
      Protocol protocol,
      Function<FilterChain, LogFormats.Traffic> trafficOf) {
    Listener listener = resources.listeners().get(name);
    List<Backend> backends = conf.isEmpty() ? null : conf.value().backends();
    if (listener == null || backends == null || backends.isEmpty()) {
      return;
    }
    boolean http = protocol.isHttp();
    Function<LogFormats.Traffic, List<AccessLog>> logsFor =
        traffic -> {
          List<AccessLog> logs = new ArrayList<>();
          for (Backend backend : backends) {
            logs.add(log(resources, backend, http, traffic));
          }
          return logs;
        };
    if (listener.hasApiListener()) { // a proxyless client's listener has no filter chains
      List<AccessLog> logs = logsFor.apply(trafficOf.apply(FilterChain.getDefaultInstance()));
      resources.listener(
          Hcms.editHcm(listener, hcm -> hcm.toBuilder().addAllAccessLog(logs).build()));
      return;
    }
    resources.listener(
        Hcms.editChains(
            listener,
            chain -> {
              List<AccessLog> logs = logsFor.apply(trafficOf.apply(chain));
              return http
                  ? Hcms.editHcm(chain, hcm -> hcm.toBuilder().addAllAccessLog(logs).build())
                  : Hcms.editTcpProxy(chain, tcp -> tcp.toBuilder().addAllAccessLog(logs).build());
            }));
  }

  private static AccessLog log(
      ProxyResources resources, Backend backend, boolean http, LogFormats.Traffic traffic) {
    switch (backend.type() == null ? "" : backend.type()) {
      case "File" -> {
        MeshAccessLogConf.File file = backend.file();
        return AccessLog.newBuilder()
            .setName("envoy.access_loggers.file")
            .setTypedConfig(
                Any.pack(
                    FileAccessLog.newBuilder()
                        .setPath(file.path())
                        .setLogFormat(LogFormats.of(file.format(), http, traffic, "", Map.of()))
                        .build()))
            .build();
      }
      case "Tcp" -> {
        MeshAccessLogConf.Tcp tcp = backend.tcp();
        String address = tcp.address();
        return AccessLog.newBuilder()
            .setName("envoy.access_loggers.stdout")
            .setTypedConfig(
                Any.pack(
                    StdoutAccessLog.newBuilder()
                        .setLogFormat(
                            LogFormats.of(
                                tcp.format(),
                                http,
                                traffic,
                                TCP_PREFIX + address + " ",
                                Map.of(TCP_JSON_KEY, address)))
                        .build()))
            .build();
      }
      default -> { // OpenTelemetry
        MeshAccessLogConf.OpenTelemetry otel = backend.openTelemetry();
        resources.cluster(
            ServiceUrls.cluster(
                OTEL_CLUSTER, ServiceUrls.HostPort.parse(otel.endpoint(), 4317), true));
        JsonNode body = otel.body();
        String line =
            body != null && body.isTextual()
                ? body.asText()
                : http ? LogFormats.DEFAULT_HTTP.strip() : LogFormats.DEFAULT_TCP.strip();
        OpenTelemetryAccessLogConfig.Builder config =
            OpenTelemetryAccessLogConfig.newBuilder()
                .setCommonConfig(
                    CommonGrpcAccessLogConfig.newBuilder()
                        .setLogName("kodiak")
                        .setTransportApiVersion(ApiVersion.V3)
                        .setGrpcService(
                            GrpcService.newBuilder()
                                .setEnvoyGrpc(
                                    GrpcService.EnvoyGrpc.newBuilder()
                                        .setClusterName(OTEL_CLUSTER))))
                .setBody(
                    AnyValue.newBuilder().setStringValue(LogFormats.substitute(line, traffic)));
        return AccessLog.newBuilder()
            .setName("envoy.access_loggers.open_telemetry")
            .setTypedConfig(Any.pack(config.build()))
            .build();
      }
    }
  }
}
