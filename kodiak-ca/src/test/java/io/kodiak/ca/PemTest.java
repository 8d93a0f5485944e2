package io.kodiak.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;

/** The direct PEM writer gives BouncyCastle's text, and what it writes reads back. */
class PemTest {
  private final CertificateAuthority ca =
      CertificateAuthority.generate(
          "pem", CertificateAuthority.KeyType.EC_P256, Duration.ofDays(1), Instant.now());

  @Test
  void aWorkloadCertificateAndKeyAreWrittenAsBouncyCastleWritesThem() throws Exception {
    IssuedCertificate issued =
        ca.issue(
            "spiffe://pem/web", List.of("kuma://version/v1"), Duration.ofHours(1), Instant.now());

    var certificate = Pem.certificate(issued.certificatePem());
    var key = Pem.privateKey(issued.keyPem());
    assertThat(issued.certificatePem()).isEqualTo(bouncyCastle(certificate));
    assertThat(issued.keyPem()).isEqualTo(bouncyCastle(new JcaPKCS8Generator(key, null)));
    assertThat(
            certificate.getSubjectAlternativeNames().stream().map(n -> (Object) n.get(1)).toList())
        .containsExactly("spiffe://pem/web", "kuma://version/v1");
    certificate.verify(ca.certificate().getPublicKey()); // signed by the CA
    assertThat(ca.certificatePem()).isEqualTo(bouncyCastle(ca.certificate()));
  }

  private static String bouncyCastle(Object object) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
