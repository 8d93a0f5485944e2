package io.kodiak.cp.insights;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What each proxy's xDS streams did: connect and disconnect times, per-type responses sent, ACKed
 * and NACKed, the last NACK's error, Envoy's version. Kept in memory (it describes live connections
 * to this instance); the last few streams per proxy are remembered. Thread-safe.
 */
public final class DataplaneInsights {
  private static final int KEPT_SUBSCRIPTIONS = 5;
  private final Clock clock;
  private final String instanceId;
  private final Map<String, Deque<Subscription>> byProxy = new HashMap<>();
  private final Map<Long, Subscription> byStream = new HashMap<>();
  private final Map<Long, String> proxyOfStream = new HashMap<>();

  public DataplaneInsights(Clock clock, String instanceId) {
    this.clock = clock;
    this.instanceId = instanceId;
  }

  public synchronized void connected(
      String mesh, String name, long streamId, String envoyVersion, String agentVersion) {
    Subscription subscription =
        new Subscription(
            instanceId + "-" + streamId, instanceId, clock.instant(), envoyVersion, agentVersion);
    Deque<Subscription> list = byProxy.computeIfAbsent(key(mesh, name), k -> new ArrayDeque<>());
    list.addLast(subscription);
    while (list.size() > KEPT_SUBSCRIPTIONS) {
      list.removeFirst();
    }
    byStream.put(streamId, subscription);
    proxyOfStream.put(streamId, key(mesh, name));
  }

  public synchronized void responseSent(long streamId, String typeUrl) {
    count(streamId, typeUrl, 0);
  }

  public synchronized void acked(long streamId, String typeUrl) {
    count(streamId, typeUrl, 1);
  }

  public synchronized void nacked(long streamId, String typeUrl, String error) {
    count(streamId, typeUrl, 2);
    Subscription s = byStream.get(streamId);
    XdsType type = XdsType.of(typeUrl);
    if (s != null) {
      s.lastNackType = type == null ? typeUrl : type.shortName();
      s.lastNackError = error;
      s.lastNackTime = clock.instant();
    }
  }

  public synchronized void disconnected(long streamId) {
    Subscription s = byStream.remove(streamId);
    proxyOfStream.remove(streamId);
    if (s != null) {
      s.disconnectTime = clock.instant();
    }
  }

  /** Forgets a proxy that was deleted. */
  public synchronized void forget(String mesh, String name) {
    byProxy.remove(key(mesh, name));
  }

  public synchronized boolean online(String mesh, String name) {
    Deque<Subscription> list = byProxy.get(key(mesh, name));
    return list != null && !list.isEmpty() && list.getLast().disconnectTime == null;
  }

  /** Total NACKs received from a proxy over its remembered streams. */
  public synchronized long nacks(String mesh, String name) {
    Deque<Subscription> list = byProxy.get(key(mesh, name));
    return list == null ? 0 : list.stream().mapToLong(s -> s.total(2)).sum();
  }

  /** Kuma's DataplaneInsight shape, or empty when the proxy never connected to this instance. */
  public synchronized Optional<ObjectNode> insight(String mesh, String name) {
    Deque<Subscription> list = byProxy.get(key(mesh, name));
    if (list == null) {
      return Optional.empty();
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    var subscriptions = out.putArray("subscriptions");
    list.forEach(s -> subscriptions.add(s.toJson()));
    return Optional.of(out);
  }

  private void count(long streamId, String typeUrl, int index) {
    Subscription s = byStream.get(streamId);
    XdsType type = XdsType.of(typeUrl);
    if (s != null && type != null) {
      s.count(type, index, clock.instant());
    }
  }

  private static String key(String mesh, String name) {
    return mesh + "/" + name;
  }
}
