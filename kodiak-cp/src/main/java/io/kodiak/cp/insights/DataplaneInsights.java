package io.kodiak.cp.insights;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What each proxy's xDS streams did: connect and disconnect times, per-type responses sent, ACKed
 * and NACKed, the last NACK's error, Envoy's version. Kept in memory (it describes live connections
 * to this instance); the last few streams per proxy are remembered. What changed since the last
 * {@link #takeChanges} is tracked for replicas that share insights. Thread-safe.
 */
public final class DataplaneInsights {
  private static final int KEPT_SUBSCRIPTIONS = 5;
  private final Clock clock;
  private final String instanceId;
  private final Map<String, Deque<Subscription>> byProxy = new HashMap<>();
  private final Map<Long, Subscription> byStream = new HashMap<>();
  private final Map<Long, String> proxyOfStream = new HashMap<>();
  private final Set<String> changed = new HashSet<>();
  private final Set<String> deleted = new HashSet<>();
  private Runnable onChange; // null: nobody shares, so nothing is tracked

  /** Proxies (by node id) whose insight changed, with their JSON, and proxies deleted since. */
  public record Changes(Map<String, String> jsonByNode, Set<String> deleted) {
    public boolean isEmpty() {
      return jsonByNode.isEmpty() && deleted.isEmpty();
    }
  }

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
    changed(key(mesh, name));
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
    String key = proxyOfStream.remove(streamId);
    if (s != null) {
      s.disconnectTime = clock.instant();
      changed(key);
    }
  }

  /** Forgets a proxy that was deleted. */
  public synchronized void forget(String mesh, String name) {
    String key = key(mesh, name);
    byProxy.remove(key);
    if (onChange != null) {
      changed.remove(key);
      deleted.add(key);
      onChange.run();
    }
  }

  /**
   * Starts tracking changes; {@code listener} is called (under this object's lock: it must only
   * schedule) when something changed.
   */
  public synchronized void onChange(Runnable listener) {
    this.onChange = listener;
  }

  /** What changed since the last call, which the caller now owns. */
  public synchronized Changes takeChanges() {
    Map<String, String> json = new LinkedHashMap<>();
    for (String key : changed) {
      Deque<Subscription> list = byProxy.get(key);
      if (list != null) {
        json.put(key, toJson(list).toString());
      }
    }
    Changes out = new Changes(json, Set.copyOf(deleted));
    changed.clear();
    deleted.clear();
    return out;
  }

  /** Takes back changes that could not be shared, to be taken again with the next ones. */
  public synchronized void giveBack(Changes changes) {
    for (String key : changes.jsonByNode().keySet()) {
      if (byProxy.containsKey(key)) {
        changed.add(key);
      }
    }
    for (String key : changes.deleted()) {
      if (!byProxy.containsKey(key)) {
        deleted.add(key);
      }
    }
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
    return Optional.of(toJson(list));
  }

  private static ObjectNode toJson(Deque<Subscription> list) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    var subscriptions = out.putArray("subscriptions");
    list.forEach(s -> subscriptions.add(s.toJson()));
    return out;
  }

  private void count(long streamId, String typeUrl, int index) {
    Subscription s = byStream.get(streamId);
    XdsType type = XdsType.of(typeUrl);
    if (s != null && type != null) {
      s.count(type, index, clock.instant());
      changed(proxyOfStream.get(streamId));
    }
  }

  private void changed(String key) {
    if (onChange != null && key != null && changed.add(key)) {
      onChange.run();
    }
  }

  /** The node id of a proxy: how replicas name it to each other. */
  static String key(String mesh, String name) {
    return mesh + "." + name;
  }
}
