package io.kodiak.ca;

import java.time.Duration;
import java.time.Instant;

/**
 * A workload certificate and its key, in PEM, with when it was issued and when it expires. (Its
 * notBefore is backdated a little against clock skew, so renewal is timed from issuance.) Never
 * written to disk.
 */
public record IssuedCertificate(
    String certificatePem, String keyPem, Instant issuedAt, Instant notAfter) {
  /** When to renew: at 80 % of the lifetime, as Kuma does. */
  public Instant renewAt() {
    Duration lifetime = Duration.between(issuedAt, notAfter);
    return issuedAt.plus(lifetime.multipliedBy(4).dividedBy(5));
  }

  @Override
  public String toString() {
    return "IssuedCertificate[issuedAt="
        + issuedAt
        + ", notAfter="
        + notAfter
        + "]"; // never print the key
  }
}
