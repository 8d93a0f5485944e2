package io.kodiak.dp.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.kodiak.model.validation.Durations;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MeshMetric's OpenTelemetry backend: pushes the proxy's filtered Envoy stats to an OTLP/gRPC
 * collector every {@code refreshInterval} (default 1m). A push needs a clock; finding out whether a
 * policy asks for it does too, since the agent is not on the xDS stream: it looks at its Envoy's
 * config every {@code checkInterval} (one loopback request; nothing else happens without a policy).
 */
public final class OtlpMetricsExporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpMetricsExporter.class);
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final EnvoyMetrics envoy;
  private final String service;
  private final ScheduledExecutorService clock =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "otlp-metrics");
            t.setDaemon(true);
            return t;
          });
  private ManagedChannel channel;
  private String endpoint = "";
  private long lastPushNanos;

  public OtlpMetricsExporter(int envoyAdminPort, String service, Duration checkInterval) {
    this.envoy = new EnvoyMetrics(envoyAdminPort);
    this.service = service;
    clock.scheduleWithFixedDelay(
        this::tick, checkInterval.toMillis(), checkInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      Optional<JsonNode> backend =
          envoy.meshMetric().flatMap(OtlpMetricsExporter::openTelemetryBackend);
      if (backend.isEmpty()) {
        closeChannel();
        return;
      }
      String wanted = backend.get().path("endpoint").asText();
      Duration every = parse(backend.get().path("refreshInterval").asText("1m"));
      if (!wanted.equals(endpoint)) {
        closeChannel();
        endpoint = wanted;
        channel = ManagedChannelBuilder.forTarget(wanted).usePlaintext().build();
        lastPushNanos = 0;
        LOG.info("metrics: pushing to OpenTelemetry collector {} every {}", wanted, every);
      }
      if (lastPushNanos != 0 && System.nanoTime() - lastPushNanos < every.toNanos()) {
        return;
      }
      lastPushNanos = System.nanoTime();
      JsonNode conf = envoy.meshMetric().orElseThrow();
      MetricsServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .export(request(envoy.stats(conf)));
    } catch (Exception e) {
      if (endpoint.isEmpty()) { // no push yet: looking for a MeshMetric in Envoy's config failed
        LOG.warn("metrics: cannot read Envoy's config to look for a MeshMetric: {}", e.toString());
      } else {
        LOG.warn("metrics: OpenTelemetry push to {} failed: {}", endpoint, e.toString());
      }
    }
  }

  private static Optional<JsonNode> openTelemetryBackend(JsonNode conf) {
    for (JsonNode backend : conf.path("backends")) {
      if (backend.path("type").asText().equals("OpenTelemetry")) {
        return Optional.of(backend.path("openTelemetry"));
      }
    }
    return Optional.empty();
  }

  /**
   * The Prometheus text as OTLP: counters as cumulative monotonic sums, everything else as gauges.
   */
  ExportMetricsServiceRequest request(String exposition) {
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, Metric.Builder> metrics = new LinkedHashMap<>();
    long now = System.currentTimeMillis() * 1_000_000;
    for (String line : exposition.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        if (parts.length >= 4) {
          types.put(parts[2], parts[3]);
        }
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (line.startsWith("#") || !m.find()) {
        continue;
      }
      double value;
      try {
        value = Double.parseDouble(m.group(4));
      } catch (NumberFormatException e) {
        continue;
      }
      String name = m.group(1);
      NumberDataPoint.Builder point =
          NumberDataPoint.newBuilder().setTimeUnixNano(now).setAsDouble(value);
      if (m.group(3) != null) {
        Matcher label = LABEL.matcher(m.group(3));
        while (label.find()) {
          point.addAttributes(attribute(label.group(1), label.group(2)));
        }
      }
      boolean counter =
          "counter".equals(types.get(name))
              || "counter".equals(types.get(name.replaceAll("_total$", "")));
      Metric.Builder metric =
          metrics.computeIfAbsent(
              name,
              n ->
                  counter
                      ? Metric.newBuilder()
                          .setName(n)
                          .setSum(
                              Sum.newBuilder()
                                  .setIsMonotonic(true)
                                  .setAggregationTemporality(
                                      AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE))
                      : Metric.newBuilder().setName(n).setGauge(Gauge.newBuilder()));
      if (metric.hasSum()) {
        metric.getSumBuilder().addDataPoints(point);
      } else {
        metric.getGaugeBuilder().addDataPoints(point);
      }
    }
    ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
    metrics.values().forEach(scope::addMetrics);
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(
                    Resource.newBuilder().addAttributes(attribute("service.name", service)))
                .addScopeMetrics(scope))
        .build();
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  /**
   * The interval, or 1m when it is not a positive duration (the control plane validated it
   * already).
   */
  private static Duration parse(String text) {
    return Durations.parse(text)
        .filter(d -> !d.isNegative() && !d.isZero())
        .orElse(Duration.ofMinutes(1));
  }

  private void closeChannel() {
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
      endpoint = "";
    }
  }

  @Override
  public void close() {
    clock.shutdownNow();
    closeChannel();
  }
}
