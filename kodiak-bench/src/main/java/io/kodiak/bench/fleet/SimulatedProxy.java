package io.kodiak.bench.fleet;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One simulated Envoy on a delta ADS stream: subscribes to clusters and listeners (wildcard), then
 * to the endpoints, routes and secrets they name, ACKs every response by nonce as Envoy does, and
 * records when each response arrived and when it first held its full config. Like Envoy with our
 * bootstrap ({@code set_node_on_first_message_only}), only the first request carries the node: the
 * server knows the stream by it.
 */
final class SimulatedProxy {
  static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  static final String SDS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

  /** A response that arrived: its type and when (nanoTime). */
  record Arrival(String type, long at) {}

  final String name;
  private final String mesh;
  private final String dataplaneJson;
  private final boolean mtls;
  private StreamObserver<DeltaDiscoveryRequest> requests;
  private final Map<String, Set<String>> subscribed = new HashMap<>();
  private final Map<String, Set<String>> received = new HashMap<>();
  private final Set<String> acked = new HashSet<>();
  final ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
  volatile long connectedAt;
  volatile long fullAt;
  volatile long lastAckAt;
  volatile String error;

  SimulatedProxy(String mesh, String name, String dataplaneJson, boolean mtls) {
    this.mesh = mesh;
    this.name = name;
    this.dataplaneJson = dataplaneJson;
    this.mtls = mtls;
  }

  synchronized void connect(ManagedChannel channel) {
    connectedAt = System.nanoTime();
    fullAt = 0;
    subscribed.clear();
    received.clear();
    acked.clear();
    requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .deltaAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DeltaDiscoveryResponse response) {
                    handle(response);
                  }

                  @Override
                  public void onError(Throwable t) {
                    error = t.toString();
                  }

                  @Override
                  public void onCompleted() {}
                });
    Node node =
        Node.newBuilder()
            .setId(mesh + "." + name)
            .setCluster(name)
            .setMetadata(
                Struct.newBuilder()
                    .putFields(
                        "dataplane.resource",
                        Value.newBuilder().setStringValue(dataplaneJson).build()))
            .build();
    // wildcard subscriptions, as Envoy sends them
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(CDS)
            .addResourceNamesSubscribe("*")
            .build());
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder().setTypeUrl(LDS).addResourceNamesSubscribe("*").build());
    if (mtls) {
      subscribe(SDS, Set.of("identity_cert", "mesh_ca"));
    }
  }

  synchronized void disconnect() {
    if (requests != null) {
      requests.onCompleted();
      requests = null;
    }
  }

  private synchronized void handle(DeltaDiscoveryResponse response) {
    long now = System.nanoTime();
    String type = response.getTypeUrl();
    arrivals.add(new Arrival(type, now));
    Set<String> have = received.computeIfAbsent(type, t -> new HashSet<>());
    have.removeAll(response.getRemovedResourcesList());
    Set<String> endpoints = new HashSet<>();
    Set<String> routes = new HashSet<>();
    for (Resource resource : response.getResourcesList()) {
      have.add(resource.getName());
      try {
        if (type.equals(CDS)) {
          Cluster cluster = resource.getResource().unpack(Cluster.class);
          if (cluster.getType() == Cluster.DiscoveryType.EDS) {
            endpoints.add(cluster.getName());
          }
        } else if (type.equals(LDS)) {
          routes.addAll(routesOf(resource.getResource().unpack(Listener.class)));
        }
      } catch (InvalidProtocolBufferException e) {
        error = e.toString();
      }
    }
    if (requests == null) {
      return;
    }
    // like Envoy: subscribe to what the new clusters and listeners name, then ACK them
    if (!endpoints.isEmpty()) {
      subscribe(EDS, endpoints);
    }
    if (!routes.isEmpty()) {
      subscribe(RDS, routes);
    }
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(type)
            .setResponseNonce(response.getNonce())
            .build());
    acked.add(type);
    lastAckAt = System.nanoTime();
    if (fullAt == 0 && full()) {
      fullAt = System.nanoTime();
    }
  }

  private void subscribe(String type, Set<String> names) {
    Set<String> already = subscribed.computeIfAbsent(type, t -> new HashSet<>());
    Set<String> fresh = new HashSet<>(names);
    fresh.removeAll(already);
    if (!fresh.isEmpty()) {
      already.addAll(fresh);
      requests.onNext(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(type)
              .addAllResourceNamesSubscribe(fresh)
              .build());
    }
  }

  /** Clusters and listeners acked, and every endpoint, route and secret subscribed to received. */
  private boolean full() {
    if (!acked.contains(CDS) || !acked.contains(LDS)) {
      return false;
    }
    for (var entry : subscribed.entrySet()) {
      if (!received.getOrDefault(entry.getKey(), Set.of()).containsAll(entry.getValue())) {
        return false;
      }
    }
    return true;
  }

  private static List<String> routesOf(Listener listener) throws InvalidProtocolBufferException {
    List<String> out = new ArrayList<>();
    for (FilterChain chain : listener.getFilterChainsList()) {
      for (Filter filter : chain.getFiltersList()) {
        Any config = filter.getTypedConfig();
        if (config.is(HttpConnectionManager.class)) {
          HttpConnectionManager hcm = config.unpack(HttpConnectionManager.class);
          if (hcm.hasRds()) {
            out.add(hcm.getRds().getRouteConfigName());
          }
        }
      }
    }
    return out;
  }
}
