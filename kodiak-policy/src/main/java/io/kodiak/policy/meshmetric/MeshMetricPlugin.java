package io.kodiak.policy.meshmetric;

import io.kodiak.policy.core.module.PolicyModule;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;

/**
 * MeshMetric: the merged configuration travels to the agent inside the proxy's own xDS config,
 * as the metadata of an endpoint-less cluster {@value #CLUSTER}. The agent (kodiak-dp) reads it
 * from Envoy's admin API on each scrape of its metrics port, so a policy change needs no extra
 * channel and an idle agent does nothing.
 */
final class MeshMetricPlugin implements PolicyModule.Plugin<JsonNode> {
  public static final String CLUSTER = "kodiak:meshmetric";
  public static final String METADATA_KEY = "kodiak.meshmetric";

  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    if (rules.matched().isEmpty()) {
      return;
    }
    Struct.Builder conf = Struct.newBuilder();
    try {
      JsonFormat.parser().merge(rules.proxy().conf().toString(), conf);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("MeshMetric conf is not a JSON object", e); // cannot happen: validated JSON
    }
    resources.cluster(Cluster.newBuilder()
        .setName(CLUSTER)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
        .setMetadata(Metadata.newBuilder().putFilterMetadata(METADATA_KEY, conf.build()))
        .build());
  }
}
