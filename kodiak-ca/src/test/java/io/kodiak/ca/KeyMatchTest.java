package io.kodiak.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A CA's key matches its own certificate only, for RSA and EC, across key types too. */
class KeyMatchTest {
  private static CertificateAuthority ca(CertificateAuthority.KeyType type) {
    return CertificateAuthority.generate("m", type, Duration.ofDays(1), Instant.now());
  }

  @Test
  void onlyACertificatesOwnKeyMatchesIt() {
    CertificateAuthority rsa = ca(CertificateAuthority.KeyType.RSA_2048);
    CertificateAuthority otherRsa = ca(CertificateAuthority.KeyType.RSA_2048);
    CertificateAuthority ec = ca(CertificateAuthority.KeyType.EC_P256);
    assertThat(keyMatches(rsa, rsa)).isTrue();
    assertThat(keyMatches(ec, ec)).isTrue();
    assertThat(keyMatches(rsa, otherRsa)).isFalse();
    assertThat(keyMatches(rsa, ec)).isFalse();
    assertThat(keyMatches(ec, rsa)).isFalse();
  }

  private static boolean keyMatches(CertificateAuthority certOf, CertificateAuthority keyOf) {
    return CertificateAuthority.keyMatches(certOf.certificate(), Pem.privateKey(keyOf.keyPem()));
  }
}
