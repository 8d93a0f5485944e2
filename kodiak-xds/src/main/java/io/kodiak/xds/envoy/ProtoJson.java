package io.kodiak.xds.envoy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.config.trace.v3.ZipkinConfig;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.bandwidth_limit.v3.BandwidthLimit;
import io.envoyproxy.envoy.extensions.filters.http.buffer.v3.Buffer;
import io.envoyproxy.envoy.extensions.filters.http.compressor.v3.Compressor;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation;
import io.envoyproxy.envoy.extensions.filters.http.health_check.v3.HealthCheck;
import io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.health_check.event_sinks.file.v3.HealthCheckEventFileSink;
import io.envoyproxy.envoy.extensions.retry.host.omit_host_metadata.v3.OmitHostMetadataConfig;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;

/**
 * Envoy protos as JSON (the form Envoy itself prints) and back, knowing every type Kodiak packs in
 * an Any plus the extensions operators commonly add with MeshProxyPatch. A type outside this list
 * cannot be printed or parsed; the proxy-patch validator says so by name. (Registering every
 * extension would load hundreds of classes into a control plane that needs few.)
 */
public final class ProtoJson {
  private static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(HttpConnectionManager.getDescriptor())
          .add(Router.getDescriptor())
          .add(TcpProxy.getDescriptor())
          .add(HttpProtocolOptions.getDescriptor())
          .add(DownstreamTlsContext.getDescriptor())
          .add(UpstreamTlsContext.getDescriptor())
          .add(TlsInspector.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor())
          .add(RBACPerRoute.getDescriptor())
          // what the traffic policies add
          .add(HTTPFault.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
                  .getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit
                  .getDescriptor())
          .add(PreviousHostsPredicate.getDescriptor())
          .add(OmitHostMetadataConfig.getDescriptor())
          .add(PreviousPrioritiesConfig.getDescriptor())
          .add(HealthCheckEventFileSink.getDescriptor())
          // observability
          .add(ZipkinConfig.getDescriptor())
          .add(OpenTelemetryConfig.getDescriptor())
          .add(OpenTelemetryAccessLogConfig.getDescriptor())
          // what operators commonly patch in
          .add(Lua.getDescriptor())
          .add(Cors.getDescriptor())
          .add(Buffer.getDescriptor())
          .add(GrpcWeb.getDescriptor())
          .add(HealthCheck.getDescriptor())
          .add(HeaderMutation.getDescriptor())
          .add(Compressor.getDescriptor())
          .add(BandwidthLimit.getDescriptor())
          .add(ExtAuthz.getDescriptor())
          .add(HttpInspector.getDescriptor())
          .add(OriginalDst.getDescriptor())
          .add(ProxyProtocol.getDescriptor())
          .add(FileAccessLog.getDescriptor())
          .add(StdoutAccessLog.getDescriptor())
          .build();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(TYPES);
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(TYPES);

  private ProtoJson() {}

  public static String print(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }

  /**
   * Parses JSON into a builder; unknown fields and types are errors.
   *
   * @throws InvalidProtocolBufferException with Envoy-style detail of what does not fit
   */
  public static <B extends Message.Builder> B parse(String json, B builder)
      throws InvalidProtocolBufferException {
    PARSER.merge(json, builder);
    return builder;
  }

  public static JsonFormat.TypeRegistry types() {
    return TYPES;
  }
}
