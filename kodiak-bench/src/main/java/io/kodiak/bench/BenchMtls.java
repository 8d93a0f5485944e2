package io.kodiak.bench;

import io.kodiak.ca.CertificateAuthority;
import io.kodiak.ca.IssuedCertificate;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.proxy.ProxyIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The benchmarks' mTLS: a builtin EC P-256 CA for mesh {@code default}, STRICT with mutual TLS to
 * upstreams, and one workload certificate (for svc-0) every generated proxy uses.
 */
record BenchMtls(MeshMtls mtls, Optional<ProxyIdentity> identity) {
  static BenchMtls create() {
    Instant now = Instant.now();
    CertificateAuthority ca =
        CertificateAuthority.generate(
            "default", CertificateAuthority.KeyType.EC_P256, Duration.ofDays(365), now);
    MeshMtls mtls =
        new MeshMtls(
            "default",
            MeshMtls.Mode.STRICT,
            List.of(ca.certificatePem()),
            MeshMtls.Outbound.MUTUAL_TLS);
    IssuedCertificate certificate =
        ca.issue("spiffe://default/svc-0", List.of(), Duration.ofHours(24), now);
    return new BenchMtls(
        mtls,
        Optional.of(
            new ProxyIdentity(
                certificate.certificatePem() + ca.certificatePem(), certificate.keyPem())));
  }
}
