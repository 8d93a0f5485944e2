package io.kodiak.policy.meshtrace;

import io.kodiak.policy.core.module.PolicyModule;
import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.config.trace.v3.Tracing;
import io.envoyproxy.envoy.config.trace.v3.ZipkinConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.type.tracing.v3.CustomTag;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.policy.core.envoy.ServiceUrls;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import java.net.URI;
import java.util.List;

/**
 * MeshTrace: every HTTP connection manager of the proxy (inbounds make server spans, outbounds
 * client spans) reports to the backend — Zipkin over HTTP JSON or OpenTelemetry over gRPC — with
 * the sampling and custom tags of the merged policy. Spans carry the proxy's service name (the
 * node's cluster, set in the bootstrap). Applications must forward the trace headers they receive
 * (b3 or traceparent) on the calls they make, as with every mesh.
 */
final class MeshTracePlugin implements PolicyModule.Plugin<JsonNode> {
  static final String ZIPKIN_CLUSTER = "meshtrace_zipkin";
  static final String OTEL_CLUSTER = "meshtrace_opentelemetry";

  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    if (rules.matched().isEmpty()) {
      return;
    }
    JsonNode conf = rules.proxy().conf();
    JsonNode backend = conf.path("backends").path(0);
    Tracing.Http provider;
    switch (backend.path("type").asText("")) {
      case "Zipkin" -> {
        JsonNode zipkin = backend.path("zipkin");
        URI url = URI.create(zipkin.path("url").asText());
        resources.cluster(ServiceUrls.cluster(ZIPKIN_CLUSTER, ServiceUrls.HostPort.parse(url.toString(), 9411), false));
        ZipkinConfig config = ZipkinConfig.newBuilder()
            .setCollectorCluster(ZIPKIN_CLUSTER)
            .setCollectorEndpoint(url.getRawPath().isEmpty() ? "/api/v2/spans" : url.getRawPath())
            .setCollectorHostname(url.getHost())
            .setCollectorEndpointVersion(zipkin.path("apiVersion").asText("httpJson").equals("httpProto")
                ? ZipkinConfig.CollectorEndpointVersion.HTTP_PROTO : ZipkinConfig.CollectorEndpointVersion.HTTP_JSON)
            .setTraceId128Bit(zipkin.path("traceId128bit").asBoolean(false))
            .setSharedSpanContext(com.google.protobuf.BoolValue.of(zipkin.path("sharedSpanContext").asBoolean(true)))
            .build();
        provider = Tracing.Http.newBuilder().setName("envoy.tracers.zipkin")
            .setTypedConfig(com.google.protobuf.Any.pack(config)).build();
      }
      case "OpenTelemetry" -> {
        String endpoint = backend.path("openTelemetry").path("endpoint").asText();
        resources.cluster(ServiceUrls.cluster(OTEL_CLUSTER, ServiceUrls.HostPort.parse(endpoint, 4317), true));
        OpenTelemetryConfig config = OpenTelemetryConfig.newBuilder()
            .setGrpcService(GrpcService.newBuilder().setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder()
                .setClusterName(OTEL_CLUSTER)))
            .setServiceName(resources.proxy().primaryService())
            .build();
        provider = Tracing.Http.newBuilder().setName("envoy.tracers.opentelemetry")
            .setTypedConfig(com.google.protobuf.Any.pack(config)).build();
      }
      default -> {
        return; // no backend (or Datadog, which needs its agent): nothing to report to
      }
    }
    HttpConnectionManager.Tracing tracing = tracing(conf, provider);
    for (Listener listener : List.copyOf(resources.listeners().values())) {
      resources.listener(Hcms.editHcm(listener, hcm -> hcm.toBuilder().setTracing(tracing).build()));
    }
  }

  private static HttpConnectionManager.Tracing tracing(JsonNode conf, Tracing.Http provider) {
    HttpConnectionManager.Tracing.Builder tracing = HttpConnectionManager.Tracing.newBuilder().setProvider(provider);
    JsonNode sampling = conf.path("sampling");
    if (sampling.has("overall")) {
      tracing.setOverallSampling(Values.envoyPercent(sampling.path("overall")));
    }
    if (sampling.has("client")) {
      tracing.setClientSampling(Values.envoyPercent(sampling.path("client")));
    }
    if (sampling.has("random")) {
      tracing.setRandomSampling(Values.envoyPercent(sampling.path("random")));
    }
    for (JsonNode tag : conf.path("tags")) {
      CustomTag.Builder custom = CustomTag.newBuilder().setTag(tag.path("name").asText());
      if (tag.has("header")) {
        CustomTag.Header.Builder header = CustomTag.Header.newBuilder().setName(tag.path("header").path("name").asText());
        if (tag.path("header").has("default")) {
          header.setDefaultValue(tag.path("header").path("default").asText());
        }
        custom.setRequestHeader(header);
      } else {
        custom.setLiteral(CustomTag.Literal.newBuilder().setValue(tag.path("literal").asText()));
      }
      tracing.addCustomTags(custom);
    }
    return tracing.build();
  }
}
