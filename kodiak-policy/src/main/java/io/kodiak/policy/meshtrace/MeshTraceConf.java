package io.kodiak.policy.meshtrace;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MeshTrace {@code default} block; every component is null when not set. Sampling percentages are
 * Kuma's int-or-string ({@code 80}, {@code "12.5"}), kept as their text.
 */
record MeshTraceConf(List<Backend> backends, Sampling sampling, List<Tag> tags) {
  MeshTraceConf {
    backends = backends == null ? null : List.copyOf(backends);
    tags = tags == null ? null : List.copyOf(tags);
  }

  /** Where spans go (at most one, the schema's maxItems): the block named by {@code type}. */
  record Backend(String type, Zipkin zipkin, Datadog datadog, OpenTelemetry openTelemetry) {}

  record Zipkin(String url, String apiVersion, Boolean traceId128bit, Boolean sharedSpanContext) {}

  record Datadog(String url, Boolean splitService) {}

  record OpenTelemetry(String endpoint, BackendRef backendRef) {}

  /** A MeshOpenTelemetryBackend chosen by labels. */
  record BackendRef(String kind, Map<String, String> labels) {
    BackendRef {
      labels = labels == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }
  }

  /** Percentages of requests traced: overall, client-forced, random. */
  record Sampling(String overall, String client, String random) {}

  /** A custom tag: a literal value or a request header's. */
  record Tag(String name, String literal, Header header) {}

  /** The header a tag takes its value from, and the value when the header is absent. */
  record Header(String name, @JsonProperty("default") String defaultValue) {}
}
