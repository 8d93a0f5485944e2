package io.kodiak.policy.meshtrace;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.config.trace.v3.Tracing;
import io.envoyproxy.envoy.config.trace.v3.ZipkinConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.type.tracing.v3.CustomTag;
import io.kodiak.policy.core.Lists;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.policy.core.envoy.ServiceUrls;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.policy.meshtrace.MeshTraceConf.Backend;
import io.kodiak.policy.meshtrace.MeshTraceConf.Sampling;
import io.kodiak.policy.meshtrace.MeshTraceConf.Tag;
import io.kodiak.policy.meshtrace.MeshTraceConf.Zipkin;
import io.kodiak.xds.generate.ProxyResources;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * MeshTrace: every HTTP connection manager of the proxy (inbounds make server spans, outbounds
 * client spans) reports to the backend — Zipkin over HTTP JSON or OpenTelemetry over gRPC — with
 * the sampling and custom tags of the merged policy. Spans carry the proxy's service name (the
 * node's cluster, set in the bootstrap). Applications must forward the trace headers they receive
 * (b3 or traceparent) on the calls they make, as with every mesh.
 */
final class MeshTracePlugin implements PolicyModule.Plugin<MeshTraceConf> {
  static final String ZIPKIN_CLUSTER = "meshtrace_zipkin";
  static final String OTEL_CLUSTER = "meshtrace_opentelemetry";

  @Override
  public void apply(ProxyResources resources, PolicyRules<MeshTraceConf> rules) {
    if (rules.matched().isEmpty()) {
      return;
    }
    MeshTraceConf conf = rules.proxy().value();
    if (conf.backends() == null || conf.backends().isEmpty()) {
      return;
    }
    Optional<Tracing.Http> provider = provider(resources, conf.backends().get(0));
    if (provider.isEmpty()) {
      return;
    }
    HttpConnectionManager.Tracing tracing = tracing(conf, provider.get());
    for (Listener listener : List.copyOf(resources.listeners().values())) {
      resources.listener(
          Hcms.editHcm(listener, hcm -> hcm.toBuilder().setTracing(tracing).build()));
    }
  }

  /**
   * The tracer of the backend, its collector cluster added; none for Datadog, which needs its
   * agent.
   */
  private static Optional<Tracing.Http> provider(ProxyResources resources, Backend backend) {
    if ("Zipkin".equals(backend.type())) {
      Zipkin zipkin = backend.zipkin();
      URI url = URI.create(zipkin.url());
      resources.cluster(
          ServiceUrls.cluster(
              ZIPKIN_CLUSTER, ServiceUrls.HostPort.parse(url.toString(), 9411), false));
      ZipkinConfig config =
          ZipkinConfig.newBuilder()
              .setCollectorCluster(ZIPKIN_CLUSTER)
              .setCollectorEndpoint(url.getRawPath().isEmpty() ? "/api/v2/spans" : url.getRawPath())
              .setCollectorHostname(url.getHost())
              .setCollectorEndpointVersion(
                  "httpProto".equals(zipkin.apiVersion())
                      ? ZipkinConfig.CollectorEndpointVersion.HTTP_PROTO
                      : ZipkinConfig.CollectorEndpointVersion.HTTP_JSON)
              .setTraceId128Bit(Boolean.TRUE.equals(zipkin.traceId128bit()))
              .setSharedSpanContext(BoolValue.of(!Boolean.FALSE.equals(zipkin.sharedSpanContext())))
              .build();
      return Optional.of(
          Tracing.Http.newBuilder()
              .setName("envoy.tracers.zipkin")
              .setTypedConfig(Any.pack(config))
              .build());
    }
    if ("OpenTelemetry".equals(backend.type())) {
      String endpoint = backend.openTelemetry().endpoint();
      resources.cluster(
          ServiceUrls.cluster(OTEL_CLUSTER, ServiceUrls.HostPort.parse(endpoint, 4317), true));
      OpenTelemetryConfig config =
          OpenTelemetryConfig.newBuilder()
              .setGrpcService(
                  GrpcService.newBuilder()
                      .setEnvoyGrpc(
                          GrpcService.EnvoyGrpc.newBuilder().setClusterName(OTEL_CLUSTER)))
              .setServiceName(resources.proxy().primaryService())
              .build();
      return Optional.of(
          Tracing.Http.newBuilder()
              .setName("envoy.tracers.opentelemetry")
              .setTypedConfig(Any.pack(config))
              .build());
    }
    return Optional.empty();
  }

  private static HttpConnectionManager.Tracing tracing(MeshTraceConf conf, Tracing.Http provider) {
    HttpConnectionManager.Tracing.Builder tracing =
        HttpConnectionManager.Tracing.newBuilder().setProvider(provider);
    Sampling sampling = conf.sampling();
    if (sampling != null && sampling.overall() != null) {
      tracing.setOverallSampling(Values.envoyPercent(sampling.overall()));
    }
    if (sampling != null && sampling.client() != null) {
      tracing.setClientSampling(Values.envoyPercent(sampling.client()));
    }
    if (sampling != null && sampling.random() != null) {
      tracing.setRandomSampling(Values.envoyPercent(sampling.random()));
    }
    for (Tag tag : Lists.orEmpty(conf.tags())) {
      CustomTag.Builder custom = CustomTag.newBuilder().setTag(tag.name());
      if (tag.header() != null) {
        CustomTag.Header.Builder header =
            CustomTag.Header.newBuilder().setName(tag.header().name());
        if (tag.header().defaultValue() != null) {
          header.setDefaultValue(tag.header().defaultValue());
        }
        custom.setRequestHeader(header);
      } else {
        custom.setLiteral(CustomTag.Literal.newBuilder().setValue(tag.literal()));
      }
      tracing.addCustomTags(custom);
    }
    return tracing.build();
  }
}
