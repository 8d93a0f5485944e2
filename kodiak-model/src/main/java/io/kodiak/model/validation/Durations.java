package io.kodiak.model.validation;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration parser of Kodiak: policy fields, Mesh certificate lifetimes, token lifetimes,
 * the control plane's configuration and the agent's flags all read durations here.
 *
 * <p>It takes Go's {@code time.ParseDuration} (what Kuma and Kubernetes' {@code metav1.Duration}
 * use): an optional sign, then a sequence of decimal numbers with a unit each ({@code ns, us, µs,
 * ms, s, m, h}), such as {@code 300ms}, {@code 1.5h} or {@code 1h30m}; {@code 0} needs no unit. It
 * also takes the units Kuma's Mesh resource accepts for certificate lifetimes: {@code d} (24h),
 * {@code w} (7d) and {@code y} (365d), in any term ({@code 1d}, {@code 1d12h}). Like Go it refuses
 * durations longer than {@link #MAX} (about 292 years) rather than wrapping. See {@code
 * docs/decisions/0011-durations.md}. Stateless and thread-safe.
 */
public final class Durations {
  /** The longest duration: Go's {@code time.Duration} (nanoseconds in a signed 64-bit integer). */
  public static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);

  /** The reason given for text that is not a duration at all. */
  public static final String MALFORMED = "must be a valid duration such as 10s, 500ms, 1m30s or 1d";

  /** The reason given for a duration longer than {@link #MAX}. */
  public static final String TOO_LONG =
      "is longer than the maximum duration 2562047h47m16.854775807s (about 292 years)";

  private static final Pattern PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h|d|w|y)");
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

  private Durations() {}

  /**
   * Returns the duration, or empty when the text is not a duration or is longer than {@link #MAX}.
   */
  public static Optional<Duration> parse(String text) {
    try {
      return Optional.of(require(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Returns the duration.
   *
   * @throws IllegalArgumentException when it is not one; the message is {@link #MALFORMED} or
   *     {@link #TOO_LONG}
   */
  public static Duration require(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException(MALFORMED);
    }
    boolean negative = text.startsWith("-");
    String body = negative || text.startsWith("+") ? text.substring(1) : text;
    if (body.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(body);
    BigDecimal nanos = BigDecimal.ZERO;
    int at = 0;
    while (at < body.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(MALFORMED);
      }
      // Go drops what is finer than a nanosecond in each term
      nanos =
          nanos.add(
              new BigDecimal(m.group(1))
                  .multiply(BigDecimal.valueOf(unitNanos(m.group(2))))
                  .setScale(0, RoundingMode.DOWN));
      at = m.end();
    }
    if (at == 0) {
      throw new IllegalArgumentException(MALFORMED);
    }
    if (nanos.compareTo(MAX_NANOS) > 0) {
      throw new IllegalArgumentException(TOO_LONG);
    }
    Duration d = Duration.ofNanos(nanos.longValueExact());
    return negative ? d.negated() : d;
  }

  /** Like {@link #require}, and a negative duration is refused too ("must not be negative"). */
  public static Duration requireNonNegative(String text) {
    Duration duration = require(text);
    if (duration.isNegative()) {
      throw new IllegalArgumentException("must not be negative");
    }
    return duration;
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs", "μs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      case "d" -> 86_400_000_000_000L;
      case "w" -> 7 * 86_400_000_000_000L;
      default -> 365 * 86_400_000_000_000L;
    };
  }
}
