package io.kodiak.cp.insights;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * One xDS stream of a proxy and what happened on it. Mutated only under the lock of {@link
 * DataplaneInsights}.
 */
final class Subscription {
  final String id;
  final String controlPlaneInstanceId;
  final Instant connectTime;
  final String envoyVersion;
  final String agentVersion;
  Instant disconnectTime;
  Instant lastUpdateTime;
  String lastNackType;
  String lastNackError;
  Instant lastNackTime;
  private final Map<XdsType, long[]> counters =
      new EnumMap<>(XdsType.class); // sent, acked, rejected

  Subscription(
      String id,
      String controlPlaneInstanceId,
      Instant connectTime,
      String envoyVersion,
      String agentVersion) {
    this.id = id;
    this.controlPlaneInstanceId = controlPlaneInstanceId;
    this.connectTime = connectTime;
    this.lastUpdateTime = connectTime;
    this.envoyVersion = envoyVersion;
    this.agentVersion = agentVersion;
  }

  void count(XdsType type, int index, Instant at) {
    counters.computeIfAbsent(type, t -> new long[3])[index]++;
    lastUpdateTime = at;
  }

  long total(int index) {
    return counters.values().stream().mapToLong(c -> c[index]).sum();
  }

  /**
   * Kuma's DataplaneInsight.Subscription shape (timestamps as seconds and nanos, per the contract).
   */
  ObjectNode toJson() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("id", id);
    out.put("controlPlaneInstanceId", controlPlaneInstanceId);
    out.set("connectTime", timestamp(connectTime));
    if (disconnectTime != null) {
      out.set("disconnectTime", timestamp(disconnectTime));
    }
    ObjectNode status = out.putObject("status");
    status.set("lastUpdateTime", timestamp(lastUpdateTime));
    status.set("total", stats(total(0), total(1), total(2)));
    for (XdsType type : XdsType.values()) {
      long[] c = counters.getOrDefault(type, new long[3]);
      if (type != XdsType.SDS || c[0] > 0) {
        status.set(type.shortName(), stats(c[0], c[1], c[2]));
      }
    }
    if (lastNackError != null) {
      ObjectNode nack = status.putObject("lastNack");
      nack.put("type", lastNackType);
      nack.put("error", lastNackError);
      nack.set("time", timestamp(lastNackTime));
    }
    ObjectNode version = out.putObject("version");
    version.putObject("kumaDp").put("version", agentVersion);
    version.putObject("envoy").put("version", envoyVersion);
    return out;
  }

  private static ObjectNode stats(long sent, long acked, long rejected) {
    return JsonNodeFactory.instance
        .objectNode()
        .put("responsesSent", sent)
        .put("responsesAcknowledged", acked)
        .put("responsesRejected", rejected);
  }

  static ObjectNode timestamp(Instant at) {
    return JsonNodeFactory.instance
        .objectNode()
        .put("seconds", at.getEpochSecond())
        .put("nanos", at.getNano());
  }
}
