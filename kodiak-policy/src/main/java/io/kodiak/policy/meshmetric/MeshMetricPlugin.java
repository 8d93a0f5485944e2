package io.kodiak.policy.meshmetric;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import java.io.IOException;
import java.time.Duration;

/**
 * MeshMetric: the merged configuration travels to the agent inside the proxy's own xDS config, as
 * the metadata of an endpoint-less cluster {@value #CLUSTER}: the typed conf as JSON, the fields it
 * sets in component order, durations as Go-style text ({@code 30s}). The agent (kodiak-dp) reads it
 * from Envoy's admin API on each scrape of its metrics port, so a policy change needs no extra
 * channel and an idle agent does nothing.
 */
final class MeshMetricPlugin implements PolicyModule.Plugin<MeshMetricConf> {
  public static final String CLUSTER = "kodiak:meshmetric";
  public static final String METADATA_KEY = "kodiak.meshmetric";
  private static final ObjectMapper AGENT_JSON =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .registerModule(
              new SimpleModule("go-durations").addSerializer(Duration.class, new GoDuration()));

  @Override
  public void apply(ProxyResources resources, PolicyRules<MeshMetricConf> rules) {
    if (rules.matched().isEmpty()) {
      return;
    }
    Struct.Builder conf = Struct.newBuilder();
    try {
      JsonFormat.parser().merge(AGENT_JSON.writeValueAsString(rules.proxy().value()), conf);
    } catch (JsonProcessingException | InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "MeshMetric conf does not serialize as a JSON object", e); // a record of plain values
    }
    resources.cluster(
        Cluster.newBuilder()
            .setName(CLUSTER)
            .setType(Cluster.DiscoveryType.STATIC)
            .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
            .setMetadata(Metadata.newBuilder().putFilterMetadata(METADATA_KEY, conf.build()))
            .build());
  }

  /**
   * A duration as the agent parses it: whole seconds, else whole milliseconds, else nanoseconds.
   */
  private static final class GoDuration extends JsonSerializer<Duration> {
    @Override
    public void serialize(Duration value, JsonGenerator out, SerializerProvider provider)
        throws IOException {
      out.writeString(text(value));
    }
  }

  static String text(Duration value) {
    if (value.getNano() == 0) {
      return value.getSeconds() + "s";
    }
    if (value.getNano() % 1_000_000 == 0) {
      return value.toMillis() + "ms";
    }
    return value.toNanos() + "ns";
  }
}
