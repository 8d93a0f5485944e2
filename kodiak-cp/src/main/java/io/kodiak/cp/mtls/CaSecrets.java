package io.kodiak.cp.mtls;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.ca.CertificateAuthority;
import io.kodiak.ca.Pem;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.validation.Durations;
import io.kodiak.store.api.ResourceAlreadyExistsException;
import io.kodiak.store.api.ResourceStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA of each mTLS backend of a mesh. A builtin CA is generated once and kept as two Secrets
 * in the mesh ({@code <mesh>.ca-builtin-cert-<backend>}, {@code ...-key-...}, Kuma's names), so
 * every control-plane restart uses the same CA. A provided CA is read from a Secret, a file or
 * inline data. Thread-safe.
 */
final class CaSecrets {
  private static final Logger LOG = LoggerFactory.getLogger(CaSecrets.class);
  private final ResourceStore store;
  private final Clock clock;
  private static final int MAX_PARSED = 64;
  private final java.util.Map<String, CertificateAuthority> parsedCas = new java.util.HashMap<>(); // guarded by this

  CaSecrets(ResourceStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** The CA of one backend; a builtin one is created on first use. */
  synchronized Optional<CertificateAuthority> of(String mesh, JsonNode backend) {
    String name = backend.path("name").asText();
    String type = backend.path("type").asText("builtin");
    JsonNode conf = backend.path("conf");
    if (type.equals("provided")) {
      return Optional.of(parsed(read(mesh, conf.path("cert")), read(mesh, conf.path("key"))));
    }
    Optional<String> cert = secret(mesh, mesh + ".ca-builtin-cert-" + name);
    Optional<String> key = secret(mesh, mesh + ".ca-builtin-key-" + name);
    if (cert.isPresent() && key.isPresent()) {
      return Optional.of(parsed(cert.get(), key.get()));
    }
    Duration lifetime = Durations.parse(conf.path("caCert").path("expiration").asText("10y"))
        .orElse(Duration.ofDays(3650));
    // EC P-256 unless the backend asks for RSA (caCert.RSAbits): signing a workload certificate with
    // it costs a fraction of an RSA-2048 signature (B10 in docs/benchmarks.md).
    JsonNode caCert = conf.path("caCert");
    CertificateAuthority.KeyType keyType = caCert.has("RSAbits") || caCert.has("rsaBits")
        ? CertificateAuthority.KeyType.RSA_2048 : CertificateAuthority.KeyType.EC_P256;
    CertificateAuthority ca = CertificateAuthority.generate(mesh, keyType, lifetime, clock.instant());
    putSecret(mesh, mesh + ".ca-builtin-key-" + name, ca.keyPem());
    putSecret(mesh, mesh + ".ca-builtin-cert-" + name, ca.certificatePem());
    LOG.info("mtls: created the builtin CA of backend {} in mesh {} (valid until {})", name, mesh,
        ca.certificate().getNotAfter().toInstant());
    return Optional.of(ca);
  }

  /**
   * The CA of a certificate and key, parsed once per distinct PEM pair: every proxy's generation
   * asks for its mesh's CA, and parsing a key costs more than signing with it.
   */
  private CertificateAuthority parsed(String certPem, String keyPem) {
    String key = certPem + "\n" + keyPem;
    CertificateAuthority ca = parsedCas.get(key);
    if (ca == null) {
      if (parsedCas.size() >= MAX_PARSED) {
        parsedCas.clear(); // CAs rotated many times since start: start over rather than grow
      }
      ca = new CertificateAuthority(Pem.certificate(certPem), Pem.privateKey(keyPem));
      parsedCas.put(key, ca);
    }
    return ca;
  }

  /** A Kuma DataSource: {secret}, {file}, {inline} (base64) or {inlineString}. */
  private String read(String mesh, JsonNode source) {
    if (source.has("secret")) {
      return secret(mesh, source.path("secret").asText()).orElseThrow(() -> new IllegalStateException(
          "secret " + source.path("secret").asText() + " of mesh " + mesh + " does not exist"));
    } else if (source.has("file")) {
      try {
        return Files.readString(Path.of(source.path("file").asText()));
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot read " + source.path("file").asText() + ": " + e.getMessage());
      }
    } else if (source.has("inline")) {
      return new String(Base64.getDecoder().decode(source.path("inline").asText()), StandardCharsets.UTF_8);
    }
    return source.path("inlineString").asText();
  }

  private Optional<String> secret(String mesh, String name) {
    return store.get(ResourceKey.of(ResourceCatalog.SECRET, mesh, name))
        .map(s -> new String(Base64.getDecoder().decode(s.spec().path("data").asText()), StandardCharsets.UTF_8));
  }

  private void putSecret(String mesh, String name, String pem) {
    String data = Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    Resource secret = ResourceCodec.decode(Documents.JSON.createObjectNode().put("type", "Secret").put("mesh", mesh)
        .put("name", name).put("data", data));
    try {
      store.create(secret);
    } catch (ResourceAlreadyExistsException e) {
      // created concurrently: the stored one wins, and is what the next read returns
    }
  }
}
