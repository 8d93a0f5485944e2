package io.kodiak.policy.meshtcproute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.policy.core.envoy.RouteEdits;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.Entry;
import io.kodiak.policy.core.rules.MergePatch;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * MeshTCPRoute: the connection-level split of an outbound across weighted backends, on the TCP
 * proxy (TCP outbounds) or on the catch-all route (HTTP outbounds no MeshHTTPRoute shapes; those
 * take precedence, as in Kuma).
 */
final class MeshTCPRoutePlugin implements PolicyModule.Plugin<JsonNode> {
  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    if (rules.matched().isEmpty()) {
      return;
    }
    for (OutboundTarget target : resources.outbounds()) {
      List<Entry<JsonNode>> entries = rules.toEntries(target.service());
      if (entries.isEmpty()) {
        continue;
      }
      ObjectNode conf = JsonNodeFactory.instance.objectNode();
      for (Entry<JsonNode> entry : entries) {
        for (JsonNode rule : entry.item().path("rules")) {
          MergePatch.apply(conf, rule.path("default"));
        }
      }
      List<Backend> backends = backends(conf.path("backendRefs"), resources);
      if (backends.isEmpty()) {
        continue;
      }
      if (!target.protocol().isHttp()) {
        Listener listener = resources.listeners().get(target.listener());
        if (listener != null) {
          resources.listener(Hcms.editTcpProxy(listener, tcp -> split(tcp, backends)));
        }
      } else if (!resources.routesShaped(target.service())) {
        RouteAction.Builder action = RouteAction.newBuilder();
        if (backends.size() == 1) {
          action.setCluster(backends.get(0).cluster());
        } else {
          WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
          backends.forEach(
              b ->
                  weighted.addClusters(
                      WeightedCluster.ClusterWeight.newBuilder()
                          .setName(b.cluster())
                          .setWeight(UInt32Value.of(b.weight()))));
          action.setWeightedClusters(weighted);
        }
        RouteEdits.outbound(
            resources,
            target,
            route ->
                route.hasRoute()
                    ? route.toBuilder()
                        .setRoute(
                            route.getRoute().toBuilder()
                                .clearClusterSpecifier()
                                .mergeFrom(action.build()))
                        .build()
                    : route);
      }
    }
  }

  private static TcpProxy split(TcpProxy tcp, List<Backend> backends) {
    TcpProxy.Builder out = tcp.toBuilder().clearClusterSpecifier();
    if (backends.size() == 1) {
      return out.setCluster(backends.get(0).cluster()).build();
    }
    TcpProxy.WeightedCluster.Builder weighted = TcpProxy.WeightedCluster.newBuilder();
    backends.forEach(
        b ->
            weighted.addClusters(
                TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                    .setName(b.cluster())
                    .setWeight(b.weight())));
    return out.setWeightedClusters(weighted).build();
  }

  private record Backend(String cluster, int weight) {}

  private static List<Backend> backends(JsonNode refs, ProxyResources resources) {
    List<Backend> out = new ArrayList<>();
    for (JsonNode ref : refs) {
      int weight = ref.path("weight").asInt(1);
      if (weight > 0) {
        Map<String, String> tags = new TreeMap<>();
        ref.path("tags")
            .fields()
            .forEachRemaining(t -> tags.put(t.getKey(), t.getValue().asText()));
        out.add(new Backend(resources.serviceCluster(ref.path("name").asText(), tags), weight));
      }
    }
    return out;
  }
}
