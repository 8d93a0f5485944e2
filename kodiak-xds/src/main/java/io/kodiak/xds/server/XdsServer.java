package io.kodiak.xds.server;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.grpc.BindableService;
import io.grpc.Status;
import io.kodiak.xds.generate.ProxyConfig;
import java.util.List;

/**
 * Our small face over java-control-plane: a snapshot cache keyed by node id, and the ADS service
 * (state-of-the-world and delta) to mount on a gRPC server. Nothing else in Kodiak sees its API.
 * Thread-safe.
 */
public final class XdsServer {
  private final SimpleCache<String> cache = new SimpleCache<>(Node::getId);
  private final OpenStreams streams = new OpenStreams();
  private final AggregatedDiscoveryServiceImplBase ads;
  private volatile boolean accepting = true;

  public XdsServer(StreamEvents events) {
    V3DiscoveryServer discovery =
        new V3DiscoveryServer(List.of(new Callbacks(events, streams)), cache);
    // outermost: one node per stream (the first request's); then streams the server can end
    this.ads =
        new FirstNodeAds(
            new ClosableStreams(discovery.getAggregatedDiscoveryServiceImpl(), streams),
            () -> accepting);
  }

  /**
   * The aggregated discovery service (SotW and delta) to add to a gRPC server. A stream is the
   * proxy its first request names, whether or not later requests repeat the node.
   */
  public BindableService adsService() {
    return ads;
  }

  /**
   * Ends a stream from the server side: the client sees PERMISSION_DENIED with {@code reason}, and
   * the usual {@link StreamEvents#onStreamClosed} follows. False when no such stream is open.
   */
  public boolean closeStream(long streamId, String reason) {
    return streams.end(streamId, Status.PERMISSION_DENIED.withDescription(reason));
  }

  /** How many ADS streams are open; for tests. */
  int openStreams() {
    return streams.size();
  }

  /**
   * From now on new ADS streams are refused (UNAVAILABLE): a control plane that is stopping takes
   * no proxy it would drop a moment later; they retry and find the next one. Open streams go on.
   */
  public void stopAccepting() {
    accepting = false;
  }

  /**
   * Makes {@code config} what the proxy with {@code nodeId} gets; unchanged types keep their
   * versions.
   */
  public void publish(String nodeId, ProxyConfig config) {
    cache.setSnapshot(nodeId, new VersionedSnapshot(config));
  }

  /** Drops what was published for a node that is gone for good. */
  public void forget(String nodeId) {
    cache.clearSnapshot(nodeId);
  }
}
