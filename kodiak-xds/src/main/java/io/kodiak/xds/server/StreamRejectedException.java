package io.kodiak.xds.server;

/** Refuses a stream; the message reaches the proxy's log as the gRPC status description. */
public final class StreamRejectedException extends Exception {
  public StreamRejectedException(String message) {
    super(message);
  }
}
