package io.kodiak.ca;

import java.time.Duration;
import java.time.Instant;

/** A workload certificate and its key, in PEM, with its validity. Never written to disk. */
public record IssuedCertificate(String certificatePem, String keyPem, Instant notBefore, Instant notAfter) {
  /** When to renew: at 80 % of the lifetime, as Kuma does. */
  public Instant renewAt() {
    Duration lifetime = Duration.between(notBefore, notAfter);
    return notBefore.plus(lifetime.multipliedBy(4).dividedBy(5));
  }

  @Override
  public String toString() {
    return "IssuedCertificate[notBefore=" + notBefore + ", notAfter=" + notAfter + "]"; // never print the key
  }
}
