package io.kodiak.model.validation;

import java.util.Optional;

/**
 * Kuma's enum values are case-sensitive ({@code 5xx}, {@code Strict}, {@code TLS13}) and Kodiak
 * accepts exactly Kuma's spelling; this names the value a wrongly-cased one was meant to be, so a
 * refusal can say so. Stateless and thread-safe.
 */
public final class Spellings {
  private Spellings() {}

  /** The allowed value that differs from {@code value} only in letter case, if there is one. */
  public static Optional<String> meant(String value, Iterable<String> allowed) {
    for (String option : allowed) {
      if (!option.equals(value) && option.equalsIgnoreCase(value)) {
        return Optional.of(option);
      }
    }
    return Optional.empty();
  }

  /** A reason's ending for a case slip ({@code "; Kuma spells it \"5xx\""}), else empty text. */
  public static String hint(String value, Iterable<String> allowed) {
    return meant(value, allowed).map(option -> "; Kuma spells it \"" + option + "\"").orElse("");
  }
}
