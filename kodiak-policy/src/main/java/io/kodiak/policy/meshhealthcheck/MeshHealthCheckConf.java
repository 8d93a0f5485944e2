package io.kodiak.policy.meshhealthcheck;

import java.time.Duration;
import java.util.List;

/**
 * A MeshHealthCheck {@code default} block; every component is null when not set. The panic
 * threshold (Kuma's int-or-string decimal) and the base64 TCP payloads stay text.
 */
record MeshHealthCheckConf(
    Duration interval,
    Duration timeout,
    Integer unhealthyThreshold,
    Integer healthyThreshold,
    Duration initialJitter,
    Duration intervalJitter,
    Integer intervalJitterPercent,
    String healthyPanicThreshold,
    Boolean failTrafficOnPanic,
    Duration noTrafficInterval,
    Boolean reuseConnection,
    Boolean alwaysLogHealthCheckFailures,
    String eventLogPath,
    Tcp tcp,
    Http http,
    Grpc grpc) {
  record Tcp(Boolean disabled, String send, List<String> receive) {
    static final Tcp NONE = new Tcp(null, null, null);

    Tcp {
      receive = receive == null ? null : List.copyOf(receive);
    }
  }

  record Http(
      Boolean disabled,
      String path,
      List<Integer> expectedStatuses,
      HeadersToAdd requestHeadersToAdd) {
    static final Http NONE = new Http(null, null, null, null);

    Http {
      expectedStatuses = expectedStatuses == null ? null : List.copyOf(expectedStatuses);
    }
  }

  record HeadersToAdd(List<Header> set, List<Header> add) {
    HeadersToAdd {
      set = set == null ? null : List.copyOf(set);
      add = add == null ? null : List.copyOf(add);
    }
  }

  record Header(String name, String value) {}

  record Grpc(Boolean disabled, String serviceName, String authority) {
    static final Grpc NONE = new Grpc(null, null, null);
  }

  Tcp tcpOrNone() {
    return tcp == null ? Tcp.NONE : tcp;
  }

  Http httpOrNone() {
    return http == null ? Http.NONE : http;
  }

  Grpc grpcOrNone() {
    return grpc == null ? Grpc.NONE : grpc;
  }
}
