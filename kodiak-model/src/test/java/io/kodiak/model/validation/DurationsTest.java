package io.kodiak.model.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "+0, 0",
    "0s, 0",
    "10s, 10000",
    "500ms, 500",
    "1m30s, 90000",
    "1.5s, 1500",
    "2h, 7200000",
    "-5s, -5000",
    "+5s, 5000",
    "1h0m0.25s, 3600250",
    "1.s, 1000",
    ".5s, 500",
    "1000us, 1",
    "1000µs, 1",
    "1000μs, 1",
    "1000000ns, 1"
  })
  void parsesGoDurations(String text, long millis) {
    assertThat(Durations.parse(text)).contains(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "10",
        "00",
        "s",
        "10 s",
        "1h 30m",
        "ten seconds",
        "1.s.",
        "--1s",
        "+-1s",
        "1sm",
        "1mo",
        "1D",
        "1H",
        ".s",
        "-",
        "+"
      })
  void refusesOtherText(String text) {
    assertThat(Durations.parse(text)).isEmpty();
    assertThatThrownBy(() -> Durations.require(text)).hasMessage(Durations.MALFORMED);
  }

  @ParameterizedTest
  @CsvSource({"1d, 24", "1d12h, 36", "2w, 336", "365d, 8760", "10y, 87600", "1.5d, 36", "24h, 24"})
  void takesKumasDaysWeeksAndYearsEverywhere(String text, long hours) {
    assertThat(Durations.parse(text)).contains(Duration.ofHours(hours));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "99999999999999999999h",
        "2562048h",
        "2562047h47m16.854775808s",
        "293y",
        "9223372036854775808ns",
        "106752d",
        "-99999999999999999999h"
      })
  void refusesWhatOverflowsGosDurationInsteadOfWrapping(String text) {
    assertThat(Durations.parse(text)).isEmpty();
    assertThatThrownBy(() -> Durations.require(text))
        .hasMessage(Durations.TOO_LONG)
        .hasMessageContaining("2562047h47m16.854775807s");
  }

  @Test
  void theLongestDurationIsGosLongest() {
    assertThat(Durations.require("2562047h47m16.854775807s")).isEqualTo(Durations.MAX);
    assertThat(Durations.require("9223372036854775807ns")).isEqualTo(Durations.MAX);
    assertThat(Durations.require("2562047h")).isEqualTo(Duration.ofHours(2562047));
    assertThat(Durations.require("292y")).isEqualTo(Duration.ofDays(292 * 365));
  }

  @Test
  void finerThanANanosecondIsDroppedAsGoDoes() {
    assertThat(Durations.require("1.0000000009s")).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void requireNonNegativeNamesANegativeDuration() {
    assertThat(Durations.requireNonNegative("0")).isZero();
    assertThatThrownBy(() -> Durations.requireNonNegative("-1s"))
        .hasMessage("must not be negative");
  }
}
