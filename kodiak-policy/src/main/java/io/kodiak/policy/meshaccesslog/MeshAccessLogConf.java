package io.kodiak.policy.meshaccesslog;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MeshAccessLog {@code default} block; null when not set. A later policy's {@code backends}
 * replace an earlier one's, as in Kuma (the list is not an {@code append...} list).
 */
record MeshAccessLogConf(List<Backend> backends) {
  MeshAccessLogConf {
    backends = backends == null ? null : List.copyOf(backends);
  }

  /** Where lines go: the block named by {@code type}. */
  record Backend(String type, File file, Tcp tcp, OpenTelemetry openTelemetry) {}

  record File(String path, Format format) {}

  record Tcp(String address, Format format) {}

  /** A log line: Plain (a line of command operators) or Json ({@code key} -> operator). */
  record Format(String type, String plain, List<Field> json, Boolean omitEmptyValues) {
    Format {
      json = json == null ? null : List.copyOf(json);
    }
  }

  /** A key and its value: a JSON format field, or an OpenTelemetry attribute. */
  record Field(String key, String value) {}

  /** An OTLP collector; {@code body} is free-form (an OpenTelemetry AnyValue or a plain line). */
  record OpenTelemetry(
      String endpoint, BackendRef backendRef, JsonNode body, List<Field> attributes) {
    OpenTelemetry {
      attributes = attributes == null ? null : List.copyOf(attributes);
    }
  }

  /** A MeshOpenTelemetryBackend chosen by labels. */
  record BackendRef(String kind, Map<String, String> labels) {
    BackendRef {
      labels = labels == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }
  }
}
