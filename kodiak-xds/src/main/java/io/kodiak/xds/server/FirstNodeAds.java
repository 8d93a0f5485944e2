package io.kodiak.xds.server;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The ADS service (state of the world and delta) with one identity per stream: the node of a
 * stream's first request. The xDS protocol lets a client send the node only on its first request
 * (Envoy's {@code set_node_on_first_message_only}), but java-control-plane's cache finds a proxy's
 * config, and holds its watches, by the node on each request: a later request without it would wait
 * in the empty node's group and never be answered. So every later request is given the first
 * request's node, and a node sent later cannot switch the stream to another proxy. Once {@code
 * accepting} is false, new streams are refused (UNAVAILABLE) before any request is read.
 * Thread-safe: gRPC delivers one stream's requests one at a time.
 */
final class FirstNodeAds extends AggregatedDiscoveryServiceImplBase {
  private final AggregatedDiscoveryServiceImplBase delegate;
  private final BooleanSupplier accepting;

  FirstNodeAds(AggregatedDiscoveryServiceImplBase delegate, BooleanSupplier accepting) {
    this.delegate = delegate;
    this.accepting = accepting;
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamAggregatedResources(
      StreamObserver<DiscoveryResponse> responses) {
    if (!accepting.getAsBoolean()) {
      return refuse(responses);
    }
    return new FirstNode<>(
        delegate.streamAggregatedResources(responses),
        DiscoveryRequest::getNode,
        (request, node) -> request.toBuilder().setNode(node).build());
  }

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
      StreamObserver<DeltaDiscoveryResponse> responses) {
    if (!accepting.getAsBoolean()) {
      return refuse(responses);
    }
    return new FirstNode<>(
        delegate.deltaAggregatedResources(responses),
        DeltaDiscoveryRequest::getNode,
        (request, node) -> request.toBuilder().setNode(node).build());
  }

  /** Ends a new stream at once: the proxy retries, and finds the next control plane. */
  private static <R> StreamObserver<R> refuse(StreamObserver<?> responses) {
    responses.onError(
        Status.UNAVAILABLE.withDescription("the control plane is stopping").asRuntimeException());
    return new StreamObserver<>() {
      @Override
      public void onNext(R request) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  /** Passes a stream's requests on, each carrying the node of the first. */
  private static final class FirstNode<R> implements StreamObserver<R> {
    private final StreamObserver<R> requests;
    private final Function<R, Node> nodeOf;
    private final BiFunction<R, Node, R> withNode;
    private Node node; // set by the first request; gRPC calls onNext serially per stream

    FirstNode(
        StreamObserver<R> requests, Function<R, Node> nodeOf, BiFunction<R, Node, R> withNode) {
      this.requests = requests;
      this.nodeOf = nodeOf;
      this.withNode = withNode;
    }

    @Override
    public void onNext(R request) {
      Node own = nodeOf.apply(request);
      if (node == null) {
        node = own;
      }
      requests.onNext(own == node ? request : withNode.apply(request, node));
    }

    @Override
    public void onError(Throwable t) {
      requests.onError(t);
    }

    @Override
    public void onCompleted() {
      requests.onCompleted();
    }
  }
}
