package io.kodiak.cp.api;

import com.linecorp.armeria.common.ClosedSessionException;
import com.linecorp.armeria.common.stream.AbortedStreamException;
import com.linecorp.armeria.common.stream.CancelledSubscriptionException;
import com.linecorp.armeria.common.stream.ClosedStreamException;

/** Recognises the ways Armeria reports a client that went away before its request was read. */
final class ClientGone {
  private ClientGone() {}

  static boolean is(Throwable cause) {
    return cause instanceof ClosedSessionException
        || cause instanceof ClosedStreamException
        || cause instanceof AbortedStreamException
        || cause instanceof CancelledSubscriptionException;
  }
}
