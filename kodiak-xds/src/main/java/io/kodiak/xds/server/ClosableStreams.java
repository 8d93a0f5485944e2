package io.kodiak.xds.server;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;

/**
 * The ADS service with one thing java-control-plane lacks: the server can end a stream with a
 * status of its choosing (a revoked token, a Dataplane its token no longer admits). Every stream is
 * registered with {@link OpenStreams} as it opens. Thread-safe.
 */
final class ClosableStreams extends AggregatedDiscoveryServiceImplBase {
  private final AggregatedDiscoveryServiceImplBase delegate;
  private final OpenStreams open;

  ClosableStreams(AggregatedDiscoveryServiceImplBase delegate, OpenStreams open) {
    this.delegate = delegate;
    this.open = open;
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamAggregatedResources(
      StreamObserver<DiscoveryResponse> responses) {
    return open.opening(responses, delegate::streamAggregatedResources);
  }

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
      StreamObserver<DeltaDiscoveryResponse> responses) {
    return open.opening(responses, delegate::deltaAggregatedResources);
  }
}
