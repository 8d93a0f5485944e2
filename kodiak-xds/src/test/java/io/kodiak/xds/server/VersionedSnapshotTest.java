package io.kodiak.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.kodiak.xds.generate.ProxyConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What delta xDS compares per resource is our content hash, never the resource's 32-bit hashCode
 * (which java-control-plane's own snapshots use): a change is sent even when two contents share a
 * hashCode.
 */
class VersionedSnapshotTest {
  @Test
  @SuppressWarnings("unchecked") // versionedResources is raw (see VersionedSnapshot)
  void eachResourceIsVersionedByItsContentHash() {
    Cluster a = Cluster.newBuilder().setName("a").build();
    Cluster b = Cluster.newBuilder().setName("b").setType(Cluster.DiscoveryType.EDS).build();
    ClusterLoadAssignment endpoints =
        ClusterLoadAssignment.newBuilder().setClusterName("b").build();
    ProxyConfig config =
        ProxyConfig.of(List.of(), List.of(), List.of(a, b), List.of(endpoints), List.of());
    VersionedSnapshot snapshot = new VersionedSnapshot(config);

    Map<String, VersionedResource<?>> clusters = snapshot.versionedResources(ResourceType.CLUSTER);
    Map<String, VersionedResource<?>> assignments =
        snapshot.versionedResources(ResourceType.ENDPOINT);
    assertThat(clusters.get("a").version()).isEqualTo(config.resourceVersions().clusters().get(0));
    assertThat(clusters.get("b").version()).isEqualTo(config.resourceVersions().clusters().get(1));
    assertThat(clusters.get("a").version()).isNotEqualTo(clusters.get("b").version());
    assertThat(assignments.get("b").version())
        .isEqualTo(config.resourceVersions().endpoints().get(0));
    assertThat(snapshot.version(ResourceType.CLUSTER)).isEqualTo(config.versions().clusters());
    assertThat(List.<Object>copyOf(snapshot.resources(ResourceType.CLUSTER).values()))
        .containsExactlyInAnyOrder(a, b);
  }
}
