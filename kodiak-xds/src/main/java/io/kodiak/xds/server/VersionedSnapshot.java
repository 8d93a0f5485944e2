package io.kodiak.xds.server;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.kodiak.xds.generate.ProxyConfig;
import io.kodiak.xds.generate.ProxyConfig.ResourceVersions;
import io.kodiak.xds.generate.ProxyConfig.Versions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A java-control-plane snapshot whose per-resource versions are our content hashes. Its own {@code
 * Snapshot.create} would version each resource by its 32-bit {@code hashCode}: two different
 * configs with equal hash codes would look unchanged to delta xDS and never be sent, and every
 * publication would walk each resource once more to compute it. Immutable.
 */
final class VersionedSnapshot extends Snapshot {
  private final SnapshotResources<Cluster> clusters;
  private final SnapshotResources<ClusterLoadAssignment> endpoints;
  private final SnapshotResources<Listener> listeners;
  private final SnapshotResources<RouteConfiguration> routes;
  private final SnapshotResources<Secret> secrets;

  VersionedSnapshot(ProxyConfig config) {
    Versions type = config.versions();
    ResourceVersions each = config.resourceVersions();
    clusters = resources(config.clusters(), each.clusters(), type.clusters());
    endpoints = resources(config.endpoints(), each.endpoints(), type.endpoints());
    listeners = resources(config.listeners(), each.listeners(), type.listeners());
    routes = resources(config.routes(), each.routes(), type.routes());
    secrets = resources(config.secrets(), each.secrets(), type.secrets());
  }

  private static <T extends Message> SnapshotResources<T> resources(
      List<T> resources, List<String> versions, String typeVersion) {
    List<VersionedResource<T>> versioned = new ArrayList<>(resources.size());
    for (int i = 0; i < resources.size(); i++) {
      versioned.add(VersionedResource.create(resources.get(i), versions.get(i)));
    }
    return SnapshotResources.create(versioned, typeVersion);
  }

  /**
   * What v3's {@code Snapshot} already answers; restated because javac does not see its generic
   * signature ({@code VersionedResource<?>}) as implementing the base class's.
   */
  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Map versionedResources(ResourceType type) {
    return super.versionedResources(type);
  }

  @Override
  public SnapshotResources<Cluster> clusters() {
    return clusters;
  }

  @Override
  public SnapshotResources<ClusterLoadAssignment> endpoints() {
    return endpoints;
  }

  @Override
  public SnapshotResources<Listener> listeners() {
    return listeners;
  }

  @Override
  public SnapshotResources<RouteConfiguration> routes() {
    return routes;
  }

  @Override
  public SnapshotResources<Secret> secrets() {
    return secrets;
  }
}
