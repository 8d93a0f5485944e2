package io.kodiak.xds.envoy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;

/**
 * Envoy protos as JSON (the form Envoy itself prints) and back, knowing every type Kodiak packs
 * in an Any plus the extensions operators commonly add with MeshProxyPatch. A type outside this
 * list cannot be printed or parsed; the proxy-patch validator says so by name. (Registering every
 * extension would load hundreds of classes into a control plane that needs few.)
 */
public final class ProtoJson {
  private static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(HttpConnectionManager.getDescriptor())
      .add(Router.getDescriptor())
      .add(TcpProxy.getDescriptor())
      .add(HttpProtocolOptions.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute.getDescriptor())
      // what the traffic policies add
      .add(io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.retry.host.omit_host_metadata.v3.OmitHostMetadataConfig.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.health_check.event_sinks.file.v3.HealthCheckEventFileSink.getDescriptor())
      // observability
      .add(io.envoyproxy.envoy.config.trace.v3.ZipkinConfig.getDescriptor())
      .add(io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig.getDescriptor())
      // what operators commonly patch in
      .add(io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.buffer.v3.Buffer.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.health_check.v3.HealthCheck.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.compressor.v3.Compressor.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.bandwidth_limit.v3.BandwidthLimit.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog.getDescriptor())
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
  public static <B extends Message.Builder> B parse(String json, B builder) throws InvalidProtocolBufferException {
    PARSER.merge(json, builder);
    return builder;
  }

  public static JsonFormat.TypeRegistry types() {
    return TYPES;
  }
}
