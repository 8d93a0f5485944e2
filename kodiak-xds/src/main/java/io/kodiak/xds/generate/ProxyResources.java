package io.kodiak.xds.generate;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.Outbound;
import io.kodiak.xds.proxy.Protocol;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One proxy's Envoy resources while they are being built: the base generators put them here and the
 * policy plugins then edit them in place, in a fixed order. Resources are keyed by name (a later
 * put replaces an earlier one). Also records what each listener and cluster is for, so a plugin can
 * find "the outbound listener of service backend" without parsing names. Not thread-safe: one per
 * generation.
 */
public final class ProxyResources {
  /** An outbound as generated: its listener, route configuration (HTTP only) and cluster. */
  public record OutboundTarget(
      Outbound outbound,
      String listener,
      Protocol protocol,
      Optional<String> routeConfig,
      String cluster) {
    public String service() {
      return outbound.service();
    }
  }

  /**
   * An inbound as generated: its listener, the RDS route (mTLS HTTP only), the local cluster and
   * its plaintext filter chain (in the listener unless mTLS is STRICT; see {@link
   * InboundEdits#tls}).
   */
  public record InboundTarget(
      Inbound inbound,
      String listener,
      Optional<String> routeConfig,
      String localCluster,
      FilterChain plaintextChain) {}

  private final MeshSnapshot mesh;
  private final ProxyModel proxy;
  private final ProxyKind kind;
  private final Optional<MeshMtls> mtls;
  private final Map<String, Listener> listeners = new TreeMap<>();
  private final Map<String, RouteConfiguration> routes = new TreeMap<>();
  private final Map<String, Cluster> clusters = new TreeMap<>();
  private final Map<String, ClusterLoadAssignment> endpoints = new TreeMap<>();
  private final Map<String, Secret> secrets = new TreeMap<>();
  private final List<OutboundTarget> outbounds = new ArrayList<>();
  private final List<InboundTarget> inbounds = new ArrayList<>();
  private final Map<String, String> serviceOfCluster = new TreeMap<>();
  private final Set<String> shapedRoutes = new HashSet<>();
  private final IdentityHashMap<Message, String> knownHashes = new IdentityHashMap<>();
  private final Set<String> stampedEndpoints = new HashSet<>();

  ProxyResources(MeshSnapshot mesh, ProxyModel proxy, ProxyKind kind, Optional<MeshMtls> mtls) {
    this.mesh = mesh;
    this.proxy = proxy;
    this.kind = kind;
    this.mtls = mtls;
  }

  /**
   * Resources for one outbound that many proxies share ({@link OutboundParts}): it belongs to no
   * proxy, so {@link #proxy} refuses.
   */
  static ProxyResources sharedPart(MeshSnapshot mesh, ProxyKind kind, Optional<MeshMtls> mtls) {
    return new ProxyResources(mesh, null, kind, mtls);
  }

  public MeshSnapshot mesh() {
    return mesh;
  }

  /**
   * The proxy being generated.
   *
   * @throws IllegalStateException while generating an outbound shared by many proxies: a plugin
   *     whose outbound edits read the proxy must say so (its bound key is empty)
   */
  public ProxyModel proxy() {
    if (proxy == null) {
      throw new IllegalStateException(
          "a plugin read the proxy while generating an outbound shared by many proxies; "
              + "its Bound.outboundKey() must be empty");
    }
    return proxy;
  }

  public ProxyKind kind() {
    return kind;
  }

  /** The mesh's mTLS as this proxy uses it (empty when off, or for proxyless clients). */
  public Optional<MeshMtls> mtls() {
    return mtls;
  }

  public List<OutboundTarget> outbounds() {
    return List.copyOf(outbounds);
  }

  public List<InboundTarget> inbounds() {
    return List.copyOf(inbounds);
  }

  public Map<String, Listener> listeners() {
    return listeners;
  }

  public Map<String, RouteConfiguration> routes() {
    return routes;
  }

  /** Clusters by name; edit through {@link #cluster(Cluster)} to keep endpoints in step. */
  public Map<String, Cluster> clusters() {
    return Collections.unmodifiableMap(clusters);
  }

  /** The service a mesh cluster reaches (empty for local and added clusters). */
  public Optional<String> serviceOf(String cluster) {
    return Optional.ofNullable(serviceOfCluster.get(cluster));
  }

  public void listener(Listener listener) {
    listeners.put(listener.getName(), listener);
  }

  public void route(RouteConfiguration route) {
    routes.put(route.getName(), route);
  }

  /** Puts a cluster (its endpoints are stamped with its final content hash in {@link #build}). */
  public void cluster(Cluster cluster) {
    clusters.put(cluster.getName(), cluster);
  }

  public void removeCluster(String name) {
    clusters.remove(name);
    endpoints.remove(name);
    serviceOfCluster.remove(name);
  }

  void endpoints(ClusterLoadAssignment assignment) {
    endpoints.put(assignment.getClusterName(), assignment);
  }

  void secret(Secret secret) {
    secrets.put(secret.getName(), secret);
  }

  void outbound(OutboundTarget target) {
    outbounds.add(target);
  }

  void inbound(InboundTarget target) {
    inbounds.add(target);
  }

  void serviceCluster(String cluster, String service) {
    serviceOfCluster.put(cluster, service);
  }

  /**
   * Notes that a route policy shaped the HTTP routes to {@code service}; route policies after it
   * leave them alone.
   */
  public void shapeRoutes(String service) {
    shapedRoutes.add(service);
  }

  /** Whether a route policy already shaped the HTTP routes to {@code service}. */
  public boolean routesShaped(String service) {
    return shapedRoutes.contains(service);
  }

  public boolean hasCluster(String name) {
    return clusters.containsKey(name);
  }

  /**
   * The cluster reaching the instances of {@code service} carrying {@code tags} (all instances when
   * empty), created with its endpoints if this proxy does not have it yet.
   */
  public String serviceCluster(String service, Map<String, String> tags) {
    return ServiceClusters.ensure(this, service, tags);
  }

  /**
   * This outbound's resources, finished: its clusters hashed and their endpoints stamped with the
   * hashes, every resource hashed. For a {@link #sharedPart} once every plugin ran.
   */
  OutboundParts.Part freeze(Outbound outbound) {
    IdentityHashMap<Message, String> hashes = new IdentityHashMap<>();
    Map<String, ClusterLoadAssignment> stamped = stampEndpoints(hashes);
    for (Listener listener : listeners.values()) {
      hashes.put(listener, ProxyConfig.resourceHash(listener));
    }
    for (RouteConfiguration route : routes.values()) {
      hashes.put(route, ProxyConfig.resourceHash(route));
    }
    for (ClusterLoadAssignment assignment : stamped.values()) {
      hashes.put(assignment, ProxyConfig.resourceHash(assignment));
    }
    return new OutboundParts.Part(
        outbound,
        Map.copyOf(listeners),
        Map.copyOf(routes),
        Map.copyOf(clusters),
        Map.copyOf(stamped),
        Map.copyOf(serviceOfCluster),
        List.copyOf(outbounds),
        hashes);
  }

  /**
   * Adds a shared outbound's finished resources. False, leaving this half-merged, when one of its
   * listeners or routes has a name this proxy already has, or a cluster or endpoints a name used
   * for different content (then the proxy is built whole).
   */
  boolean merge(OutboundParts.Part part) {
    // a listener or route two outbounds both have (the same service twice, or gRPC proxyless
    // targets) is edited once per outbound when the proxy is built whole: only that way is right
    if (!Collections.disjoint(listeners.keySet(), part.listeners().keySet())
        || !Collections.disjoint(routes.keySet(), part.routes().keySet())
        || !mergeInto(listeners, part.listeners())
        || !mergeInto(routes, part.routes())
        || !mergeInto(clusters, part.clusters())
        || !mergeInto(endpoints, part.endpoints())) {
      return false;
    }
    stampedEndpoints.addAll(part.endpoints().keySet());
    serviceOfCluster.putAll(part.serviceOfCluster());
    outbounds.addAll(part.targets());
    knownHashes.putAll(part.hashes());
    return true;
  }

  private static <T extends Message> boolean mergeInto(Map<String, T> into, Map<String, T> part) {
    for (Map.Entry<String, T> resource : part.entrySet()) {
      T had = into.putIfAbsent(resource.getKey(), resource.getValue());
      if (had != null && had != resource.getValue() && !had.equals(resource.getValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Each EDS cluster's endpoints with the cluster's final content hash ({@link
   * ServiceClusters#stamped}), computed once however many plugins changed the cluster; the
   * clusters' hashes go into {@code hashes}.
   */
  private Map<String, ClusterLoadAssignment> stampEndpoints(Map<Message, String> hashes) {
    Map<String, String> clusterHashes = new HashMap<>();
    for (Cluster cluster : clusters.values()) {
      String hash = hashes.computeIfAbsent(cluster, c -> ProxyConfig.resourceHash(cluster));
      clusterHashes.put(cluster.getName(), hash);
    }
    Map<String, ClusterLoadAssignment> stamped = new TreeMap<>();
    for (ClusterLoadAssignment assignment : endpoints.values()) {
      String name = assignment.getClusterName();
      String hash = clusterHashes.get(name);
      if (stampedEndpoints.contains(name) && clusters.get(name) != null) {
        stamped.put(name, assignment); // a shared part's, stamped with the same cluster's hash
      } else if (hash != null) {
        stamped.put(name, ServiceClusters.stamped(assignment, hash));
      }
    }
    return stamped;
  }

  /** The finished config, every resource hashed once (a shared outbound's were already). */
  ProxyConfig build() {
    Map<String, ClusterLoadAssignment> stamped = stampEndpoints(knownHashes);
    return ProxyConfig.of(
        List.copyOf(listeners.values()),
        List.copyOf(routes.values()),
        List.copyOf(clusters.values()),
        List.copyOf(stamped.values()),
        List.copyOf(secrets.values()),
        new TreeSet<>(serviceOfCluster.values()),
        resource -> knownHashes.computeIfAbsent(resource, ProxyConfig::resourceHash));
  }
}
