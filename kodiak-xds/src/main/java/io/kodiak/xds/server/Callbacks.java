package io.kodiak.xds.server;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adapts java-control-plane's callbacks to {@link StreamEvents}, for both SotW and delta streams.
 */
final class Callbacks implements DiscoveryServerCallbacks {
  private final StreamEvents events;
  private final Set<Long> identified = ConcurrentHashMap.newKeySet();
  private final OpenStreams streams;

  Callbacks(StreamEvents events, OpenStreams streams) {
    this.events = events;
    this.streams = streams;
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    streams.streamOpened(streamId);
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) throws RequestException {
    handle(
        streamId,
        request.getNode(),
        request.getTypeUrl(),
        request.getResponseNonce(),
        request.hasErrorDetail() ? request.getErrorDetail().getMessage() : "");
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request)
      throws RequestException {
    handle(
        streamId,
        request.getNode(),
        request.getTypeUrl(),
        request.getResponseNonce(),
        request.hasErrorDetail() ? request.getErrorDetail().getMessage() : "");
  }

  @Override
  public void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    events.onResponse(
        streamId,
        response.getTypeUrl(),
        response.getVersionInfo(),
        response.getNonce(),
        response.getResourcesCount());
  }

  @Override
  public void onV3StreamDeltaResponse(
      long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    events.onResponse(
        streamId,
        response.getTypeUrl(),
        response.getSystemVersionInfo(),
        response.getNonce(),
        response.getResourcesCount());
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    closed(streamId);
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    closed(streamId);
  }

  private void handle(long streamId, Node node, String typeUrl, String nonce, String error)
      throws RequestException {
    if (identified.add(streamId)) {
      try {
        events.onNodeConnected(streamId, info(node));
      } catch (StreamRejectedException e) {
        identified.remove(streamId);
        // the proxy sees PERMISSION_DENIED; java-control-plane cleans up quietly with CANCELLED
        // (it logs any other status as an error, with a stack trace, for a plain refusal)
        streams.refuse(streamId, Status.PERMISSION_DENIED.withDescription(e.getMessage()));
        throw new RequestException(Status.CANCELLED.withDescription(e.getMessage()));
      }
    }
    if (!nonce.isEmpty()) {
      events.onAckOrNack(streamId, typeUrl, nonce, error);
    }
  }

  private void closed(long streamId) {
    streams.streamClosed(streamId);
    if (identified.remove(streamId)) {
      events.onStreamClosed(streamId);
    }
  }

  private static NodeInfo info(Node node) {
    Map<String, String> metadata = new HashMap<>();
    node.getMetadata()
        .getFieldsMap()
        .forEach(
            (key, value) -> {
              if (value.hasStringValue()) {
                metadata.put(key, value.getStringValue());
              }
            });
    var v = node.getUserAgentBuildVersion().getVersion();
    String version =
        node.hasUserAgentBuildVersion()
            ? v.getMajorNumber() + "." + v.getMinorNumber() + "." + v.getPatch()
            : "";
    return new NodeInfo(node.getId(), metadata, version);
  }
}
