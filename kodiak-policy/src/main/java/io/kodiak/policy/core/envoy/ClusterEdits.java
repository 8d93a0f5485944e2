package io.kodiak.policy.core.envoy;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.InboundTarget;
import io.kodiak.xds.proxy.Protocol;

/** Applies a policy's merged conf to the clusters it governs. */
public final class ClusterEdits {
  private ClusterEdits() {}

  /** How one cluster changes under one merged conf. */
  public interface ClusterEdit<C> {
    Cluster apply(Cluster cluster, C conf, Protocol protocol);
  }

  /** Every mesh cluster (a service or a subset of it) gets the {@code to[]} conf of its service. */
  public static <C> void outbound(
      ProxyResources resources, PolicyRules<C> rules, ClusterEdit<C> edit) {
    for (Cluster cluster : resources.clusters().values()) {
      resources
          .serviceOf(cluster.getName())
          .ifPresent(
              service -> {
                var conf = rules.to(service);
                if (!conf.isEmpty()) {
                  resources.cluster(
                      edit.apply(cluster, conf.value(), resources.mesh().protocolOf(service)));
                }
              });
    }
  }

  /** Every inbound's local cluster gets the inbound's {@code from[]}/{@code rules[]} conf. */
  public static <C> void inbound(
      ProxyResources resources, PolicyRules<C> rules, ClusterEdit<C> edit) {
    for (InboundTarget target : resources.inbounds()) {
      var conf = rules.inbound(target.inbound());
      Cluster local = resources.clusters().get(target.localCluster());
      if (!conf.isEmpty() && local != null) {
        resources.cluster(edit.apply(local, conf.value(), target.inbound().protocol()));
      }
    }
  }
}
