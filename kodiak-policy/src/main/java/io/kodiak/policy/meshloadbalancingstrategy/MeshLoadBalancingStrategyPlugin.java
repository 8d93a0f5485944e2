package io.kodiak.policy.meshloadbalancingstrategy;

import io.kodiak.policy.core.module.PolicyModule;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.RuntimeDouble;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.kodiak.policy.core.envoy.ClusterEdits;
import io.kodiak.policy.core.envoy.RouteEdits;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import io.kodiak.xds.proxy.Protocol;
import java.util.ArrayList;
import java.util.List;

/**
 * MeshLoadBalancingStrategy: the cluster's load-balancing algorithm and its settings, and for
 * the hashing algorithms the hash policies on each HTTP route to the service. Locality awareness
 * has nothing to choose between in a single-zone Universal mesh and is left alone.
 */
final class MeshLoadBalancingStrategyPlugin implements PolicyModule.Plugin<JsonNode> {
  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    if (rules.matched().isEmpty()) {
      return;
    }
    ClusterEdits.outbound(resources, rules, MeshLoadBalancingStrategyPlugin::configure);
    for (OutboundTarget target : resources.outbounds()) {
      List<RouteAction.HashPolicy> hashing = hashPolicies(rules.to(target.service()).conf());
      if (!hashing.isEmpty()) {
        RouteEdits.outbound(resources, target, route -> route.hasRoute()
            ? route.toBuilder().setRoute(route.getRoute().toBuilder().clearHashPolicy().addAllHashPolicy(hashing)).build()
            : route);
      }
    }
  }

  static Cluster configure(Cluster cluster, JsonNode conf, Protocol protocol) {
    JsonNode lb = conf.path("loadBalancer");
    if (lb.isMissingNode()) {
      return cluster;
    }
    Cluster.Builder out = cluster.toBuilder().clearLbConfig();
    switch (lb.path("type").asText("RoundRobin")) {
      case "LeastRequest" -> {
        out.setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST);
        JsonNode least = lb.path("leastRequest");
        Cluster.LeastRequestLbConfig.Builder c = Cluster.LeastRequestLbConfig.newBuilder();
        if (least.has("choiceCount")) {
          c.setChoiceCount(UInt32Value.of(least.path("choiceCount").asInt()));
        }
        if (least.has("activeRequestBias")) {
          c.setActiveRequestBias(RuntimeDouble.newBuilder().setDefaultValue(Values.percent(least.path("activeRequestBias")))
              .setRuntimeKey("kodiak.lb.active_request_bias"));
        }
        out.setLeastRequestLbConfig(c);
      }
      case "RingHash" -> {
        out.setLbPolicy(Cluster.LbPolicy.RING_HASH);
        JsonNode ring = lb.path("ringHash");
        Cluster.RingHashLbConfig.Builder c = Cluster.RingHashLbConfig.newBuilder();
        if (ring.has("minRingSize")) {
          c.setMinimumRingSize(UInt64Value.of(ring.path("minRingSize").asLong()));
        }
        if (ring.has("maxRingSize")) {
          c.setMaximumRingSize(UInt64Value.of(ring.path("maxRingSize").asLong()));
        }
        c.setHashFunction(ring.path("hashFunction").asText("XXHash").equals("MurmurHash2")
            ? Cluster.RingHashLbConfig.HashFunction.MURMUR_HASH_2 : Cluster.RingHashLbConfig.HashFunction.XX_HASH);
        out.setRingHashLbConfig(c);
      }
      case "Maglev" -> {
        out.setLbPolicy(Cluster.LbPolicy.MAGLEV);
        JsonNode maglev = lb.path("maglev");
        if (maglev.has("tableSize")) {
          out.setMaglevLbConfig(Cluster.MaglevLbConfig.newBuilder()
              .setTableSize(UInt64Value.of(maglev.path("tableSize").asLong())));
        }
      }
      case "Random" -> out.setLbPolicy(Cluster.LbPolicy.RANDOM);
      default -> out.setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
    }
    return out.build();
  }

  /** Hash policies: those of the ring-hash or Maglev block, else the top-level ones. */
  static List<RouteAction.HashPolicy> hashPolicies(JsonNode conf) {
    JsonNode lb = conf.path("loadBalancer");
    String type = lb.path("type").asText("");
    JsonNode list = type.equals("RingHash") && lb.path("ringHash").has("hashPolicies")
        ? lb.path("ringHash").path("hashPolicies")
        : type.equals("Maglev") && lb.path("maglev").has("hashPolicies") ? lb.path("maglev").path("hashPolicies")
        : conf.path("hashPolicies");
    List<RouteAction.HashPolicy> out = new ArrayList<>();
    for (JsonNode policy : list) {
      RouteAction.HashPolicy.Builder h = RouteAction.HashPolicy.newBuilder()
          .setTerminal(policy.path("terminal").asBoolean(false));
      switch (policy.path("type").asText()) {
        case "Header" -> h.setHeader(RouteAction.HashPolicy.Header.newBuilder()
            .setHeaderName(policy.path("header").path("name").asText()));
        case "Cookie" -> {
          RouteAction.HashPolicy.Cookie.Builder c = RouteAction.HashPolicy.Cookie.newBuilder()
              .setName(policy.path("cookie").path("name").asText());
          if (policy.path("cookie").has("ttl")) {
            c.setTtl(Values.duration(policy.path("cookie").path("ttl")));
          }
          if (policy.path("cookie").has("path")) {
            c.setPath(policy.path("cookie").path("path").asText());
          }
          h.setCookie(c);
        }
        case "Connection", "SourceIP" -> h.setConnectionProperties(RouteAction.HashPolicy.ConnectionProperties
            .newBuilder().setSourceIp(policy.path("connection").path("sourceIP").asBoolean(true)));
        case "QueryParameter" -> h.setQueryParameter(RouteAction.HashPolicy.QueryParameter.newBuilder()
            .setName(policy.path("queryParameter").path("name").asText()));
        case "FilterState" -> h.setFilterState(RouteAction.HashPolicy.FilterState.newBuilder()
            .setKey(policy.path("filterState").path("key").asText()));
        default -> {
          continue;
        }
      }
      out.add(h.build());
    }
    return out;
  }
}
