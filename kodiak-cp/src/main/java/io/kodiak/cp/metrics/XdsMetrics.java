package io.kodiak.cp.metrics;

import io.kodiak.xds.server.NodeInfo;
import io.kodiak.xds.server.StreamEvents;
import io.kodiak.xds.server.StreamRejectedException;
import io.kodiak.xds.sync.SnapshotSync;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * xDS metrics, recorded on the stream events on their way to the proxy lifecycle: requests by type
 * and ACK/NACK, responses by type, connected proxies, and the time from a change in the store to
 * each affected proxy's ACK of the config it caused. Thread-safe.
 */
public final class XdsMetrics implements StreamEvents, SnapshotSync.PublishListener {
  private final StreamEvents delegate;
  private final MeterRegistry registry;
  private final Map<Long, String> nodeOfStream = new ConcurrentHashMap<>();
  private final Map<String, Long> changeWaitingForAck =
      new ConcurrentHashMap<>(); // node -> change time (nanos)
  private final Timer delivery;
  // meters by type (and result), looked up once: every xDS request and response passes here
  private final Map<String, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> responses = new ConcurrentHashMap<>();

  public XdsMetrics(StreamEvents delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
    this.delivery =
        Timer.builder("kodiak_xds_delivery")
            .description("From a change in the store to the ACK of the config it caused, per proxy")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    registry.gauge("kodiak_xds_streams", nodeOfStream, Map::size);
  }

  @Override
  public void onNodeConnected(long streamId, NodeInfo node) throws StreamRejectedException {
    delegate.onNodeConnected(streamId, node);
    nodeOfStream.put(streamId, node.id());
  }

  @Override
  public void onAckOrNack(long streamId, String typeUrl, String nonce, String error) {
    boolean nack = !error.isEmpty();
    String result = nack ? "nack" : "ack";
    requests
        .computeIfAbsent(
            typeUrl + " " + result,
            k ->
                Counter.builder("kodiak_xds_requests")
                    .description("xDS requests after the first, by type and result")
                    .tag("type", shortType(typeUrl))
                    .tag("result", result)
                    .register(registry))
        .increment();
    String node = nodeOfStream.get(streamId);
    if (!nack && node != null) {
      Long changedAt = changeWaitingForAck.remove(node);
      if (changedAt != null) {
        delivery.record(Duration.ofNanos(System.nanoTime() - changedAt));
      }
    }
    delegate.onAckOrNack(streamId, typeUrl, nonce, error);
  }

  @Override
  public void onResponse(
      long streamId, String typeUrl, String version, String nonce, int resources) {
    responses
        .computeIfAbsent(
            typeUrl,
            k ->
                Counter.builder("kodiak_xds_responses")
                    .description("xDS responses sent, by type")
                    .tag("type", shortType(typeUrl))
                    .register(registry))
        .increment();
    delegate.onResponse(streamId, typeUrl, version, nonce, resources);
  }

  @Override
  public void onStreamClosed(long streamId) {
    String node = nodeOfStream.remove(streamId);
    if (node != null) {
      changeWaitingForAck.remove(node);
    }
    delegate.onStreamClosed(streamId);
  }

  /**
   * A config caused by a change at {@code changedAtNanos} went to a proxy; its ACK ends the wait.
   */
  @Override
  public void published(String nodeId, long changedAtNanos) {
    changeWaitingForAck.putIfAbsent(nodeId, changedAtNanos);
  }

  /** {@code type.googleapis.com/envoy.config.cluster.v3.Cluster} -> {@code Cluster}. */
  private static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }
}
