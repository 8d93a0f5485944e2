package io.kodiak.policy.meshfaultinjection;

import java.time.Duration;
import java.util.List;

/**
 * A MeshFaultInjection {@code default} block; every component is null when not set. Percentages are
 * Kuma's int-or-string ({@code 50}, {@code "12.5"}), kept as their text.
 */
record MeshFaultInjectionConf(List<Fault> http) {
  MeshFaultInjectionConf {
    http = http == null ? null : List.copyOf(http);
  }

  /** One fault filter: any of abort, delay and response bandwidth. */
  record Fault(Abort abort, Delay delay, ResponseBandwidth responseBandwidth) {}

  /** Answers {@code httpStatus} instead of calling the upstream. */
  record Abort(Integer httpStatus, String percentage) {}

  /** Holds the request for {@code value} before passing it on. */
  record Delay(Duration value, String percentage) {}

  /** Slows the response to {@code limit} ({@code 10kbps}, {@code 5Mbps}, {@code 1Gbps}). */
  record ResponseBandwidth(String limit, String percentage) {}
}
