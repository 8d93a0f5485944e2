package io.kodiak.xds.server;

/**
 * What the xDS server reports about its streams. Called on gRPC threads; implementations must be
 * thread-safe and quick.
 */
public interface StreamEvents {
  /** The first request of a stream named its node. Throwing refuses (closes) the stream. */
  void onNodeConnected(long streamId, NodeInfo node) throws StreamRejectedException;

  /**
   * A request on a stream after the first: an ACK of {@code nonce}, or a NACK with its error text
   * when {@code error} is not empty.
   */
  void onAckOrNack(long streamId, String typeUrl, String nonce, String error);

  /** A response was sent. */
  void onResponse(long streamId, String typeUrl, String version, String nonce, int resources);

  void onStreamClosed(long streamId);
}
