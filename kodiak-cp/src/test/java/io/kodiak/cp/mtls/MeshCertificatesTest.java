package io.kodiak.cp.mtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.ca.CertificateAuthority;
import io.kodiak.ca.Pem;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.cp.resources.Validators;
import io.kodiak.cp.testing.WriteCountingStore;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.testing.TestResources;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.proxy.ProxyModels;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CAs of a mesh's mTLS backends and the workload certificates they issue. */
class MeshCertificatesTest {
  private final WriteCountingStore counting = new WriteCountingStore();
  private final ResourceStore store = counting.store();
  private final MeshCertificates certificates = new MeshCertificates(store, Clock.systemUTC());

  @AfterEach
  void close() {
    certificates.close();
  }

  @Test
  void aProvidedCaFromSecretsIssuesSpiffeCertificates() throws Exception {
    CertificateAuthority ca =
        CertificateAuthority.generate(
            "corp", CertificateAuthority.KeyType.RSA_2048, Duration.ofDays(30), Instant.now());
    store.create(TestResources.decode("type: Mesh\nname: corp\n"));
    store.create(secret("corp", "corp-ca-cert", ca.certificatePem()));
    store.create(secret("corp", "corp-ca-key", ca.keyPem()));
    var mesh = store.get(ResourceKey.of(ResourceCatalog.MESH, "", "corp")).orElseThrow();
    store.update(
        TestResources.decode(
            """
        type: Mesh
        name: corp
        mtls:
          enabledBackend: corp-ca
          backends:
            - name: corp-ca
              type: provided
              mode: PERMISSIVE
              dpCert: {rotation: {expiration: 1h}}
              conf:
                cert: {secret: corp-ca-cert}
                key: {secret: corp-ca-key}
        """),
        mesh.meta().version());

    MeshMtls mtls = certificates.mtls("corp").orElseThrow();
    assertThat(mtls.mode()).isEqualTo(MeshMtls.Mode.PERMISSIVE);
    assertThat(mtls.trustedRootsPem()).containsExactly(ca.certificatePem());

    var proxy =
        ProxyModels.fromDataplane(
            TestResources.decode(
                """
        type: Dataplane
        mesh: corp
        name: api-1
        networking:
          address: 10.0.0.1
          inbound:
            - port: 8080
              tags: {kuma.io/service: api, version: v2}
        """));
    var identity = certificates.identity(mtls, proxy).orElseThrow();
    X509Certificate issued = Pem.certificate(identity.certificatePem());
    issued.verify(ca.certificate().getPublicKey());
    List<String> uris =
        issued.getSubjectAlternativeNames().stream().map(san -> (String) san.get(1)).toList();
    assertThat(uris)
        .containsExactly("spiffe://corp/api", "kuma://kuma.io/service/api", "kuma://version/v2");
    assertThat(
            Duration.between(issued.getNotBefore().toInstant(), issued.getNotAfter().toInstant()))
        .isLessThanOrEqualTo(Duration.ofHours(1).plusMinutes(1));
    assertThat(identity.toString()).doesNotContain("PRIVATE");
    // the same proxy asking again gets the same certificate until renewal is due
    assertThat(certificates.identity(mtls, proxy).orElseThrow().certificatePem())
        .isEqualTo(identity.certificatePem());
  }

  @Test
  void aBuiltinCaRestoredOneSecretAtATimeIssuesNothingUntilItsCertificateAndKeyMatch()
      throws Exception {
    new ResourceManager(store, new Validators())
        .put(
            ResourceCatalog.MESH,
            "",
            "m",
            Documents.parse(
                """
        {"type": "Mesh", "name": "m", "skipCreatingInitialPolicies": ["*"],
         "mtls": {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin"}]}}
        """),
            OptionalLong.empty());
    CertificateAuthority restored =
        CertificateAuthority.generate(
            "m", CertificateAuthority.KeyType.RSA_2048, Duration.ofDays(30), Instant.now());
    var proxy =
        ProxyModels.fromDataplane(
            TestResources.decode(
                """
        type: Dataplane
        mesh: m
        name: web-1
        networking:
          address: 10.0.0.1
          inbound:
            - port: 8080
              tags: {kuma.io/service: web}
        """));
    // a restore writes the certificate first: the pair does not match, so nothing is issued
    replaceSecret("m", "m.ca-builtin-cert-ca-1", restored.certificatePem());
    assertThat(certificates.mtls("m").orElseThrow().trustedRootsPem()).isEmpty();
    assertThat(certificates.identity(certificates.mtls("m").orElseThrow(), proxy)).isEmpty();
    // then the key: the restored CA issues
    replaceSecret("m", "m.ca-builtin-key-ca-1", restored.keyPem());
    MeshMtls mtls = certificates.mtls("m").orElseThrow();
    assertThat(mtls.trustedRootsPem()).containsExactly(restored.certificatePem());
    X509Certificate issued =
        Pem.certificate(certificates.identity(mtls, proxy).orElseThrow().certificatePem());
    issued.verify(restored.certificate().getPublicKey());
  }

  private void replaceSecret(String mesh, String name, String pem) {
    var current = store.get(ResourceKey.of(ResourceCatalog.SECRET, mesh, name)).orElseThrow();
    store.update(secret(mesh, name, pem), current.meta().version());
  }

  @Test
  void aBuiltinCaIsCreatedOnceAndKeptAsSecrets() {
    new ResourceManager(store, new Validators())
        .put(
            ResourceCatalog.MESH,
            "",
            "m",
            Documents.parse(
                """
        {"type": "Mesh", "name": "m", "skipCreatingInitialPolicies": ["*"],
         "mtls": {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin"}]}}
        """),
            OptionalLong.empty());
    String first = certificates.mtls("m").orElseThrow().trustedRootsPem().get(0);
    assertThat(store.get(ResourceKey.of(ResourceCatalog.SECRET, "m", "m.ca-builtin-key-ca-1")))
        .isPresent();
    MeshCertificates restarted = new MeshCertificates(store, Clock.systemUTC());
    assertThat(restarted.mtls("m").orElseThrow().trustedRootsPem()).containsExactly(first);
    restarted.close();
  }

  @Test
  void generationNeverCreatesACaAndGoesWithoutOneWhenItIsMissing() {
    store.create(
        TestResources.decode(
            """
        type: Mesh
        name: m
        mtls:
          enabledBackend: ca-1
          backends: [{name: ca-1, type: builtin}]
        """)); // straight into the store: a mesh whose CA was never created
    int writes = counting.writes();
    var proxy =
        ProxyModels.fromDataplane(
            TestResources.decode(
                """
        type: Dataplane
        mesh: m
        name: api-1
        networking:
          address: 10.0.0.1
          inbound:
            - port: 8080
              tags: {kuma.io/service: api}
        """));

    MeshMtls mtls = certificates.mtls("m").orElseThrow();
    assertThat(mtls.trustedRootsPem()).isEmpty();
    assertThat(certificates.identity(mtls, proxy)).isEmpty();
    assertThat(certificates.mtls("m").orElseThrow().trustedRootsPem()).isEmpty();
    assertThat(counting.writes()).as("reads of mTLS state write nothing").isEqualTo(writes);

    // the CA is created after that view of the mesh was taken (kubectl enabled mTLS, the leader
    // wrote the CA): no certificate goes out beside a trust bundle that lacks its root
    new ResourceManager(store, new Validators())
        .put(
            ResourceCatalog.MESH,
            "",
            "m",
            Documents.parse(
                """
        {"type": "Mesh", "name": "m", "skipCreatingInitialPolicies": ["*"],
         "mtls": {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin"}]}}
        """),
            OptionalLong.empty());
    assertThat(certificates.identity(mtls, proxy)).as("the stale view").isEmpty();
    MeshMtls fresh = certificates.mtls("m").orElseThrow();
    assertThat(fresh.trustedRootsPem()).hasSize(1);
    assertThat(certificates.identity(fresh, proxy)).isPresent();
  }

  @Test
  void lookingAtAProxyIssuesNothingAndADepartedProxyHoldsNoCertificate() {
    new ResourceManager(store, new Validators())
        .put(
            ResourceCatalog.MESH,
            "",
            "m",
            Documents.parse(
                """
        {"type": "Mesh", "name": "m", "skipCreatingInitialPolicies": ["*"],
         "mtls": {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin"}]}}
        """),
            OptionalLong.empty());
    var proxy =
        ProxyModels.fromDataplane(
            TestResources.decode(
                """
        type: Dataplane
        mesh: m
        name: api-1
        networking:
          address: 10.0.0.1
          inbound:
            - port: 8080
              tags: {kuma.io/service: api}
        """));
    MeshMtls mtls = certificates.mtls("m").orElseThrow();

    // an inspection before the proxy has one: a placeholder, nothing issued or kept
    assertThat(certificates.preview(mtls, proxy).orElseThrow().certificatePem()).isEmpty();
    assertThat(certificates.issuedTotal()).isZero();
    assertThat(certificates.issuedCount()).isZero();

    var identity = certificates.identity(mtls, proxy).orElseThrow();
    assertThat(certificates.issuedTotal()).isEqualTo(1);
    assertThat(certificates.preview(mtls, proxy).orElseThrow().certificatePem())
        .isEqualTo(identity.certificatePem());

    certificates.forget(proxy.nodeId());
    assertThat(certificates.issuedCount()).isZero();
    assertThat(certificates.secondsToSoonestExpiry()).isNaN();
    assertThat(certificates.preview(mtls, proxy).orElseThrow().certificatePem()).isEmpty();
    assertThat(certificates.issuedTotal()).isEqualTo(1);
  }

  private static io.kodiak.model.core.Resource secret(String mesh, String name, String pem) {
    return TestResources.decode(
        "type: Secret\nmesh: "
            + mesh
            + "\nname: "
            + name
            + "\ndata: "
            + Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8))
            + "\n");
  }
}
