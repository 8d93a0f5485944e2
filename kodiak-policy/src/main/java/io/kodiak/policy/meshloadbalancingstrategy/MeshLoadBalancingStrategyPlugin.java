package io.kodiak.policy.meshloadbalancingstrategy;

import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.RuntimeDouble;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.kodiak.policy.core.envoy.ClusterEdits;
import io.kodiak.policy.core.envoy.RouteEdits;
import io.kodiak.policy.core.envoy.Values;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.policy.meshloadbalancingstrategy.MeshLoadBalancingStrategyConf.HashPolicy;
import io.kodiak.policy.meshloadbalancingstrategy.MeshLoadBalancingStrategyConf.LoadBalancer;
import io.kodiak.policy.meshloadbalancingstrategy.MeshLoadBalancingStrategyConf.Named;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import io.kodiak.xds.proxy.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * MeshLoadBalancingStrategy: the cluster's load-balancing algorithm and its settings, and for the
 * hashing algorithms the hash policies on each HTTP route to the service. Locality awareness has
 * nothing to choose between in a single-zone Universal mesh and is left alone.
 */
final class MeshLoadBalancingStrategyPlugin
    implements PolicyModule.Plugin<MeshLoadBalancingStrategyConf> {
  @Override
  public void apply(ProxyResources resources, PolicyRules<MeshLoadBalancingStrategyConf> rules) {
    if (rules.matched().isEmpty()) {
      return;
    }
    ClusterEdits.outbound(resources, rules, MeshLoadBalancingStrategyPlugin::configure);
    for (OutboundTarget target : resources.outbounds()) {
      List<RouteAction.HashPolicy> hashing = hashPolicies(rules.to(target.service()).value());
      if (!hashing.isEmpty()) {
        RouteEdits.outbound(
            resources,
            target,
            route ->
                route.hasRoute()
                    ? route.toBuilder()
                        .setRoute(
                            route.getRoute().toBuilder()
                                .clearHashPolicy()
                                .addAllHashPolicy(hashing))
                        .build()
                    : route);
      }
    }
  }

  static Cluster configure(Cluster cluster, MeshLoadBalancingStrategyConf conf, Protocol protocol) {
    LoadBalancer lb = conf.loadBalancer();
    if (lb == null) {
      return cluster;
    }
    Cluster.Builder out = cluster.toBuilder().clearLbConfig();
    switch (lb.type() == null ? "RoundRobin" : lb.type()) {
      case "LeastRequest" -> {
        out.setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST);
        Cluster.LeastRequestLbConfig.Builder c = Cluster.LeastRequestLbConfig.newBuilder();
        if (lb.leastRequest() != null && lb.leastRequest().choiceCount() != null) {
          c.setChoiceCount(UInt32Value.of(lb.leastRequest().choiceCount()));
        }
        if (lb.leastRequest() != null && lb.leastRequest().activeRequestBias() != null) {
          c.setActiveRequestBias(
              RuntimeDouble.newBuilder()
                  .setDefaultValue(Values.percent(lb.leastRequest().activeRequestBias()))
                  .setRuntimeKey("kodiak.lb.active_request_bias"));
        }
        out.setLeastRequestLbConfig(c);
      }
      case "RingHash" -> {
        out.setLbPolicy(Cluster.LbPolicy.RING_HASH);
        Cluster.RingHashLbConfig.Builder c = Cluster.RingHashLbConfig.newBuilder();
        Optional<MeshLoadBalancingStrategyConf.RingHash> ring = Optional.ofNullable(lb.ringHash());
        ring.map(r -> r.minRingSize())
            .ifPresent(size -> c.setMinimumRingSize(UInt64Value.of(size)));
        ring.map(r -> r.maxRingSize())
            .ifPresent(size -> c.setMaximumRingSize(UInt64Value.of(size)));
        c.setHashFunction(
            ring.map(r -> r.hashFunction()).filter("MurmurHash2"::equals).isPresent()
                ? Cluster.RingHashLbConfig.HashFunction.MURMUR_HASH_2
                : Cluster.RingHashLbConfig.HashFunction.XX_HASH);
        out.setRingHashLbConfig(c);
      }
      case "Maglev" -> {
        out.setLbPolicy(Cluster.LbPolicy.MAGLEV);
        if (lb.maglev() != null && lb.maglev().tableSize() != null) {
          out.setMaglevLbConfig(
              Cluster.MaglevLbConfig.newBuilder()
                  .setTableSize(UInt64Value.of(lb.maglev().tableSize())));
        }
      }
      case "Random" -> out.setLbPolicy(Cluster.LbPolicy.RANDOM);
      default -> out.setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
    }
    return out.build();
  }

  /** Hash policies: those of the ring-hash or Maglev block, else the top-level ones. */
  static List<RouteAction.HashPolicy> hashPolicies(MeshLoadBalancingStrategyConf conf) {
    LoadBalancer lb = conf.loadBalancer();
    String type = lb == null || lb.type() == null ? "" : lb.type();
    List<HashPolicy> list =
        type.equals("RingHash") && lb.ringHash() != null && lb.ringHash().hashPolicies() != null
            ? lb.ringHash().hashPolicies()
            : type.equals("Maglev") && lb.maglev() != null && lb.maglev().hashPolicies() != null
                ? lb.maglev().hashPolicies()
                : conf.hashPolicies();
    List<RouteAction.HashPolicy> out = new ArrayList<>();
    for (HashPolicy policy : list == null ? List.<HashPolicy>of() : list) {
      hashPolicy(policy).ifPresent(out::add);
    }
    return out;
  }

  private static Optional<RouteAction.HashPolicy> hashPolicy(HashPolicy policy) {
    RouteAction.HashPolicy.Builder h =
        RouteAction.HashPolicy.newBuilder().setTerminal(Boolean.TRUE.equals(policy.terminal()));
    switch (policy.type()) { // required by the schema; each type's block is optional
      case "Header" ->
          h.setHeader(
              RouteAction.HashPolicy.Header.newBuilder().setHeaderName(name(policy.header())));
      case "Cookie" -> {
        var cookie = policy.cookie();
        RouteAction.HashPolicy.Cookie.Builder c =
            RouteAction.HashPolicy.Cookie.newBuilder()
                .setName(cookie == null || cookie.name() == null ? "" : cookie.name());
        if (cookie != null && cookie.ttl() != null) {
          c.setTtl(Values.duration(cookie.ttl()));
        }
        if (cookie != null && cookie.path() != null) {
          c.setPath(cookie.path());
        }
        h.setCookie(c);
      }
      case "Connection", "SourceIP" ->
          h.setConnectionProperties(
              RouteAction.HashPolicy.ConnectionProperties.newBuilder()
                  .setSourceIp(
                      policy.connection() == null
                          || !Boolean.FALSE.equals(policy.connection().sourceIP())));
      case "QueryParameter" ->
          h.setQueryParameter(
              RouteAction.HashPolicy.QueryParameter.newBuilder()
                  .setName(name(policy.queryParameter())));
      case "FilterState" ->
          h.setFilterState(
              RouteAction.HashPolicy.FilterState.newBuilder()
                  .setKey(
                      policy.filterState() == null || policy.filterState().key() == null
                          ? ""
                          : policy.filterState().key()));
      default -> {
        return Optional.empty();
      }
    }
    return Optional.of(h.build());
  }

  private static String name(Named block) {
    return block == null || block.name() == null ? "" : block.name();
  }
}
