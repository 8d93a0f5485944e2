package io.kodiak.xds.server;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A raw ADS client that names its node on the first request of its stream only, as Envoy does with
 * {@code set_node_on_first_message_only}, or on its subscriptions only, as simple load-test clients
 * do (LDS, CDS and EDS requests with the node, then ACKs without). State of the world subscribes to
 * every endpoint (wildcard EDS); delta subscribes to the endpoints its clusters name, as Envoy does
 * (java-control-plane treats only clusters and listeners as wildcard on delta streams).
 * Thread-safe.
 */
final class NodeOnceClient implements AutoCloseable {
  static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  enum Protocol {
    STATE_OF_THE_WORLD,
    DELTA
  }

  /** Which requests carry the node. */
  enum NodeOn {
    FIRST_REQUEST,
    SUBSCRIPTIONS
  }

  private final Map<String, ClusterLoadAssignment> endpoints = new HashMap<>();
  private final Set<String> edsSubscribed = new HashSet<>();
  private StreamObserver<DiscoveryRequest> sotw;
  private StreamObserver<DeltaDiscoveryRequest> delta;
  private String error = "";
  private Node ackNode = Node.getDefaultInstance();
  private Node subscriptionNode = Node.getDefaultInstance();

  private NodeOnceClient() {}

  static NodeOnceClient connect(Channel channel, Node node, Protocol protocol, NodeOn nodeOn) {
    NodeOnceClient client = new NodeOnceClient();
    var stub = AggregatedDiscoveryServiceGrpc.newStub(channel);
    synchronized (client) {
      Node later = nodeOn == NodeOn.SUBSCRIPTIONS ? node : Node.getDefaultInstance();
      client.subscriptionNode = later;
      if (protocol == Protocol.STATE_OF_THE_WORLD) {
        client.sotw = stub.streamAggregatedResources(client.new Responses<>(client::onSotw));
        client.sotw.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(LDS).build());
        client.sotw.onNext(DiscoveryRequest.newBuilder().setNode(later).setTypeUrl(CDS).build());
        client.sotw.onNext(
            DiscoveryRequest.newBuilder().setNode(later).setTypeUrl(EDS).build()); // wildcard
      } else {
        client.delta = stub.deltaAggregatedResources(client.new Responses<>(client::onDelta));
        client.delta.onNext(
            DeltaDiscoveryRequest.newBuilder()
                .setNode(node)
                .setTypeUrl(CDS)
                .addResourceNamesSubscribe("*")
                .build());
        client.delta.onNext(
            DeltaDiscoveryRequest.newBuilder()
                .setNode(later)
                .setTypeUrl(LDS)
                .addResourceNamesSubscribe("*")
                .build());
      }
    }
    return client;
  }

  /** The {@code address:port} of every endpoint held, sorted. */
  synchronized Set<String> endpointAddresses() {
    Set<String> out = new TreeSet<>();
    endpoints
        .values()
        .forEach(
            cla ->
                cla.getEndpointsList()
                    .forEach(
                        locality ->
                            locality
                                .getLbEndpointsList()
                                .forEach(
                                    lb -> {
                                      SocketAddress a =
                                          lb.getEndpoint().getAddress().getSocketAddress();
                                      out.add(a.getAddress() + ":" + a.getPortValue());
                                    })));
    return out;
  }

  /** From now on, every ACK names {@code node}: a client that tries to become another proxy. */
  synchronized void sendNodeOnNextAcks(Node node) {
    ackNode = node;
  }

  /** Why the stream ended, or empty while it is open. */
  synchronized String error() {
    return error;
  }

  private synchronized void onSotw(DiscoveryResponse response) {
    if (response.getTypeUrl().equals(EDS)) {
      endpoints.clear();
      for (Any any : response.getResourcesList()) {
        ClusterLoadAssignment cla = unpack(any, ClusterLoadAssignment.class);
        endpoints.put(cla.getClusterName(), cla);
      }
    }
    sotw.onNext(
        DiscoveryRequest.newBuilder()
            .setNode(ackNode)
            .setTypeUrl(response.getTypeUrl())
            .setVersionInfo(response.getVersionInfo())
            .setResponseNonce(response.getNonce())
            .build());
  }

  private synchronized void onDelta(DeltaDiscoveryResponse response) {
    Set<String> named = new HashSet<>();
    for (Resource resource : response.getResourcesList()) {
      if (response.getTypeUrl().equals(EDS)) {
        endpoints.put(
            resource.getName(), unpack(resource.getResource(), ClusterLoadAssignment.class));
      } else if (response.getTypeUrl().equals(CDS)) {
        Cluster cluster = unpack(resource.getResource(), Cluster.class);
        if (cluster.getType() == Cluster.DiscoveryType.EDS
            && edsSubscribed.add(cluster.getName())) {
          named.add(cluster.getName());
        }
      }
    }
    if (response.getTypeUrl().equals(EDS)) {
      response.getRemovedResourcesList().forEach(endpoints::remove);
    }
    if (!named.isEmpty()) {
      delta.onNext(
          DeltaDiscoveryRequest.newBuilder()
              .setNode(subscriptionNode)
              .setTypeUrl(EDS)
              .addAllResourceNamesSubscribe(named)
              .build());
    }
    delta.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(ackNode)
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce())
            .build());
  }

  private synchronized void failed(Throwable t) {
    error = t.toString();
  }

  @Override
  public synchronized void close() {
    if (sotw != null) {
      sotw.onCompleted();
    }
    if (delta != null) {
      delta.onCompleted();
    }
  }

  private static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Hands each response to the client, records how the stream ended. */
  private final class Responses<T> implements StreamObserver<T> {
    private final Consumer<T> handler;

    Responses(Consumer<T> handler) {
      this.handler = handler;
    }

    @Override
    public void onNext(T response) {
      handler.accept(response);
    }

    @Override
    public void onError(Throwable t) {
      failed(t);
    }

    @Override
    public void onCompleted() {
      failed(new IllegalStateException("the server completed the stream"));
    }
  }
}
