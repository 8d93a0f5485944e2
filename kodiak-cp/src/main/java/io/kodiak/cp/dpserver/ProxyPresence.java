package io.kodiak.cp.dpserver;

import java.util.Optional;

/**
 * Which control-plane replica holds each proxy, where replicas share a store: a proxy that left
 * this replica may be connected to another, and then its Dataplane must stay. Implementations are
 * thread-safe; a failure is an exception, and the caller then keeps the Dataplane.
 */
public interface ProxyPresence {
  void connected(String nodeId) throws Exception;

  void disconnected(String nodeId) throws Exception;

  /** The other live replica holding {@code nodeId}, if one does. */
  Optional<String> heldElsewhere(String nodeId) throws Exception;

  /** A control plane with a store of its own: no other replica holds anything. */
  ProxyPresence ALONE =
      new ProxyPresence() {
        @Override
        public void connected(String nodeId) {}

        @Override
        public void disconnected(String nodeId) {}

        @Override
        public Optional<String> heldElsewhere(String nodeId) {
          return Optional.empty();
        }
      };
}
