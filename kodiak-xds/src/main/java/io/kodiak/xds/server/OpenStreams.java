package io.kodiak.xds.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The ADS streams open on this server, by java-control-plane's stream id, so the server can end one
 * with the status it chooses (PERMISSION_DENIED for a proxy its token does not admit). The id is
 * learnt from {@code onStreamOpen}, which java-control-plane calls on the opening thread.
 *
 * <p>Ending a stream closes its response side with that status first, then lets java-control-plane
 * clean up (watches, close callbacks) through its own error path with CANCELLED, the one status it
 * does not log as an error: a refusal is a decision, not a fault, and costs the one line the caller
 * of {@link #end} writes. Thread-safe.
 */
final class OpenStreams {
  private static final ThreadLocal<Handle<?, ?>> OPENING = new ThreadLocal<>();
  private final Map<Long, Handle<?, ?>> open = new ConcurrentHashMap<>();

  /**
   * Opens a stream through java-control-plane's handler {@code open}, which gets the guarded
   * response side; returns the request side to hand to gRPC.
   */
  <Q, R> StreamObserver<Q> opening(
      StreamObserver<R> responses, Function<StreamObserver<R>, StreamObserver<Q>> open) {
    Handle<Q, R> handle = new Handle<>(responses);
    OPENING.set(handle);
    try {
      handle.open(open.apply(handle.responses));
    } finally {
      OPENING.remove();
    }
    return handle;
  }

  /**
   * java-control-plane's {@code onStreamOpen}: called from inside {@link #opening}, on its thread.
   */
  void streamOpened(long streamId) {
    Handle<?, ?> handle = OPENING.get();
    if (handle != null) {
      open.put(streamId, handle);
    }
  }

  void streamClosed(long streamId) {
    open.remove(streamId);
  }

  /** How many streams are open (tests check that refused and ended ones leave nothing behind). */
  int size() {
    return open.size();
  }

  /**
   * Ends the response side with {@code status}, from inside java-control-plane's request handling
   * (a callback); the caller then throws a CANCELLED {@code RequestException} so it cleans up.
   */
  void refuse(long streamId, Status status) {
    Handle<?, ?> handle = open.remove(streamId);
    if (handle != null) {
      handle.responses.end(status);
    }
  }

  /**
   * Ends the stream with {@code status} from outside any request; false when it is not open here.
   */
  boolean end(long streamId, Status status) {
    Handle<?, ?> handle = open.remove(streamId);
    if (handle == null) {
      return false;
    }
    handle.responses.end(status);
    handle.cleanUp(status.getDescription());
    return true;
  }

  /**
   * One stream: the request side gRPC calls (serialized with a close from another thread; late
   * requests after it are dropped) and the guarded response side java-control-plane writes to.
   */
  private static final class Handle<Q, R> implements StreamObserver<Q> {
    final GuardedResponses<R> responses;
    private StreamObserver<Q> requests;
    private boolean closed;

    Handle(StreamObserver<R> responses) {
      this.responses = new GuardedResponses<>(responses);
    }

    synchronized void open(StreamObserver<Q> requests) {
      this.requests = requests;
    }

    @Override
    public synchronized void onNext(Q request) {
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

    synchronized void cleanUp(String reason) {
      if (requests != null) { // null only while java-control-plane is still opening it
        onError(Status.CANCELLED.withDescription(reason).asRuntimeException());
      }
    }
  }

  /**
   * The response side, which can be ended once with a status of our choosing; whatever
   * java-control-plane writes after that is dropped. It locks on itself, as java-control-plane does
   * around its own writes.
   */
  private static final class GuardedResponses<R> implements StreamObserver<R> {
    private final StreamObserver<R> target;
    private boolean ended;

    GuardedResponses(StreamObserver<R> target) {
      this.target = target;
    }

    synchronized void end(Status status) {
      if (!ended) {
        ended = true;
        target.onError(status.asRuntimeException());
      }
    }

    @Override
    public synchronized void onNext(R response) {
      if (!ended) {
        target.onNext(response);
      }
    }

    @Override
    public synchronized void onError(Throwable t) {
      if (!ended) {
        ended = true;
        target.onError(t);
      }
    }

    @Override
    public synchronized void onCompleted() {
      if (!ended) {
        ended = true;
        target.onCompleted();
      }
    }
  }
}
