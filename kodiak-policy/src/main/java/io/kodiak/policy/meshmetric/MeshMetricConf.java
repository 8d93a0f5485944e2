package io.kodiak.policy.meshmetric;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MeshMetric {@code default} block; every component is null when not set. The agent receives it
 * as JSON in this component order ({@link MeshMetricPlugin}). {@code appendProfiles} add up across
 * policies; every other list is replaced, as in Kuma.
 */
record MeshMetricConf(Sidecar sidecar, List<Application> applications, List<Backend> backends) {
  MeshMetricConf {
    applications = applications == null ? null : List.copyOf(applications);
    backends = backends == null ? null : List.copyOf(backends);
  }

  /** Which of Envoy's own metrics are published. */
  record Sidecar(Profiles profiles, Boolean includeUnused) {}

  /** Predefined profiles (All, Basic, None), then metric names included or excluded. */
  record Profiles(List<Profile> appendProfiles, List<Selector> exclude, List<Selector> include) {
    Profiles {
      appendProfiles = appendProfiles == null ? null : List.copyOf(appendProfiles);
      exclude = exclude == null ? null : List.copyOf(exclude);
      include = include == null ? null : List.copyOf(include);
    }
  }

  record Profile(String name) {}

  /** Metric names matched by Prefix, Regex, Exact or Contains. */
  record Selector(String type, String match) {}

  /** An application endpoint the agent scrapes beside Envoy's. */
  record Application(String name, Integer port, String path, String address) {}

  /** Where metrics go: the block named by {@code type}. */
  record Backend(String type, Prometheus prometheus, OpenTelemetry openTelemetry) {}

  record Prometheus(String clientId, Integer port, String path, Tls tls) {}

  record Tls(String mode) {}

  record OpenTelemetry(String endpoint, Duration refreshInterval, BackendRef backendRef) {}

  /** A MeshOpenTelemetryBackend chosen by labels. */
  record BackendRef(String kind, Map<String, String> labels) {
    BackendRef {
      labels = labels == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }
  }
}
