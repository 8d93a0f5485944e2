package io.kodiak.policy.core.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Duration;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.Percent;
import io.kodiak.model.validation.Durations;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Policy field values (already validated) as Envoy values. */
public final class Values {
  private Values() {}

  /**
   * The longest duration Envoy takes (its strict duration validation: seconds at most (2^63 - 1 -
   * 999999999) / 10^9). Kuma's longest, {@link Durations#MAX}, is 1.85 s longer; a policy that long
   * is clamped to this instead of being NACKed: both mean "about 292 years".
   */
  static final java.time.Duration ENVOY_MAX =
      java.time.Duration.ofSeconds(9_223_372_035L, 999_999_999);

  /**
   * A Kuma duration ({@code 10s}, {@code 1m30s}, {@code 250ms}, {@code 1d}) as a protobuf Duration.
   */
  public static Duration duration(JsonNode text) {
    String key = text.asText();
    Duration known = DURATIONS.get(key);
    if (known != null) {
      return known;
    }
    java.time.Duration parsed =
        Durations.parse(key)
            .map(d -> d.compareTo(ENVOY_MAX) > 0 ? ENVOY_MAX : d)
            .orElseThrow(() -> new IllegalArgumentException("not a duration: " + text));
    Duration duration =
        Duration.newBuilder().setSeconds(parsed.getSeconds()).setNanos(parsed.getNano()).build();
    if (DURATIONS.size() >= 1024) {
      DURATIONS.clear(); // policies hold a handful of distinct durations; never grow without bound
    }
    DURATIONS.put(key, duration);
    return duration;
  }

  /**
   * A decoded policy duration as a protobuf Duration; longer than Envoy takes is clamped (see
   * {@link #ENVOY_MAX}).
   */
  public static Duration duration(java.time.Duration value) {
    java.time.Duration clamped = value.compareTo(ENVOY_MAX) > 0 ? ENVOY_MAX : value;
    return Duration.newBuilder()
        .setSeconds(clamped.getSeconds())
        .setNanos(clamped.getNano())
        .build();
  }

  /** Parsed durations by text: every cluster and route of every proxy asks for the same few. */
  private static final Map<String, Duration> DURATIONS = new ConcurrentHashMap<>();

  /** A percentage given as a number or a string ({@code 50}, {@code "12.5"}). */
  public static double percent(JsonNode value) {
    return value.isNumber() ? value.asDouble() : Double.parseDouble(value.asText());
  }

  /** A percentage decoded as text: Kuma's int-or-string ({@code 50} or {@code "12.5"}). */
  public static double percent(String value) {
    return Double.parseDouble(value);
  }

  public static Percent envoyPercent(JsonNode value) {
    return Percent.newBuilder().setValue(percent(value)).build();
  }

  /**
   * A decoded int-or-string percentage (its text, {@code "50"} or {@code "12.5"}; validated) as
   * Envoy's Percent.
   */
  public static Percent envoyPercent(String value) {
    return Percent.newBuilder().setValue(percent(value)).build();
  }

  /** A percentage as parts per million (Envoy's finest fraction). */
  public static FractionalPercent fraction(JsonNode value) {
    return FractionalPercent.newBuilder()
        .setNumerator((int) Math.round(percent(value) * 10_000))
        .setDenominator(FractionalPercent.DenominatorType.MILLION)
        .build();
  }

  /** A decoded int-or-string percentage (its text; validated) as parts per million. */
  public static FractionalPercent fraction(String value) {
    return FractionalPercent.newBuilder()
        .setNumerator((int) Math.round(percent(value) * 10_000))
        .setDenominator(FractionalPercent.DenominatorType.MILLION)
        .build();
  }
}
