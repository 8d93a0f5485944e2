package io.kodiak.model.validation;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations the way Kuma's YAML does (Go's {@code time.ParseDuration}): a sequence of
 * decimal numbers with units {@code ns, us, µs, ms, s, m, h}, such as {@code 300ms} or {@code 1h30m}.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  private Durations() {}

  /** Returns the duration, or empty when the text is not a duration. */
  public static Optional<Duration> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    boolean negative = text.startsWith("-");
    String body = negative || text.startsWith("+") ? text.substring(1) : text;
    if (body.equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    Matcher m = PART.matcher(body);
    BigDecimal nanos = BigDecimal.ZERO;
    int at = 0;
    while (at < body.length()) {
      if (!m.find(at) || m.start() != at) {
        return Optional.empty();
      }
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
      at = m.end();
    }
    if (at == 0) {
      return Optional.empty();
    }
    Duration d = Duration.ofNanos(nanos.longValue());
    return Optional.of(negative ? d.negated() : d);
  }

  /**
   * Like {@link #parse} but also accepts whole days and years ({@code 30d}, {@code 10y}), which
   * Kuma allows for certificate lifetimes.
   */
  public static Optional<Duration> parseLifetime(String text) {
    if (text != null && text.matches("\\d+[dy]")) {
      long n = Long.parseLong(text.substring(0, text.length() - 1));
      return Optional.of(Duration.ofDays(text.endsWith("y") ? n * 365 : n));
    }
    return parse(text);
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      default -> 3_600_000_000_000L;
    };
  }
}
