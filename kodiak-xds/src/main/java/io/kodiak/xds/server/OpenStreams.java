package io.kodiak.xds.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The ADS streams open on this server, by java-control-plane's stream id, so one can be ended from
 * the server side. The id is learnt from {@code onStreamOpen}, which java-control-plane calls on
 * the opening thread; closing goes through its own error path, so its watches are cancelled and
 * the usual close callbacks run. Thread-safe.
 */
final class OpenStreams {
  private static final ThreadLocal<Handle<?>> OPENING = new ThreadLocal<>();
  private final Map<Long, Handle<?>> open = new ConcurrentHashMap<>();

  /** java-control-plane's {@code onStreamOpen}: called from inside {@link #opening}, on its thread. */
  void streamOpened(long streamId) {
    Handle<?> handle = OPENING.get();
    if (handle != null) {
      open.put(streamId, handle);
    }
  }

  void streamClosed(long streamId) {
    open.remove(streamId);
  }

  /** Ends the stream (the client sees CANCELLED with {@code reason}); false when it is not open here. */
  boolean close(long streamId, String reason) {
    Handle<?> handle = open.remove(streamId);
    if (handle == null) {
      return false;
    }
    handle.close(reason);
    return true;
  }

  /** Opens a stream through {@code open} (java-control-plane's handler), keeping a way to end it. */
  <T> StreamObserver<T> opening(Supplier<StreamObserver<T>> open) {
    Handle<T> handle = new Handle<>();
    OPENING.set(handle);
    try {
      handle.requests = open.get();
    } finally {
      OPENING.remove();
    }
    return handle;
  }

  /**
   * One stream's request side. Calls into java-control-plane's handler are serialized, since a
   * close comes from another thread than gRPC's; after a close, late requests are dropped.
   */
  private static final class Handle<T> implements StreamObserver<T> {
    private StreamObserver<T> requests;
    private boolean closed;

    @Override
    public synchronized void onNext(T request) {
      if (!closed) {
        requests.onNext(request);
      }
    }

    @Override
    public synchronized void onError(Throwable t) {
      if (!closed) {
        closed = true;
        requests.onError(t);
      }
    }

    @Override
    public synchronized void onCompleted() {
      if (!closed) {
        closed = true;
        requests.onCompleted();
      }
    }

    /** CANCELLED: java-control-plane logs other codes as errors, and this is a decision, not a fault. */
    synchronized void close(String reason) {
      onError(Status.CANCELLED.withDescription(reason).asRuntimeException());
    }
  }
}
