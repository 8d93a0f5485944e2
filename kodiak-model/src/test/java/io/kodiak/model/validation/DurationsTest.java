package io.kodiak.model.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({"0, 0", "0s, 0", "10s, 10000", "500ms, 500", "1m30s, 90000", "1.5s, 1500", "2h, 7200000",
      "-5s, -5000", "100us, 0", "1h0m0.25s, 3600250"})
  void parsesGoDurations(String text, long millis) {
    assertThat(Durations.parse(text)).contains(Duration.ofMillis(millis).plus(
        text.equals("100us") ? Duration.ofNanos(100_000) : Duration.ZERO));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "s", "10 s", "1d", "ten seconds", "1.s.", "--1s", "1sm"})
  void refusesOtherText(String text) {
    assertThat(Durations.parse(text)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"365d, 365", "10y, 3650", "24h, 1"})
  void lifetimesAcceptDaysAndYears(String text, long days) {
    assertThat(Durations.parseLifetime(text)).contains(Duration.ofDays(days));
  }
}
