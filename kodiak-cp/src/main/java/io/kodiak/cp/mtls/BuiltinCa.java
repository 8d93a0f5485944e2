package io.kodiak.cp.mtls;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.ca.CertificateAuthority;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.validation.Durations;
import io.kodiak.store.api.ResourceStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The builtin CA of a mesh's enabled mTLS backend as stored: two Secrets in the mesh with Kuma's
 * names ({@code <mesh>.ca-builtin-cert-<backend>}, {@code <mesh>.ca-builtin-key-<backend>}), so
 * every restart uses the same CA. This class only says what to store; {@code ResourceManager}
 * stores it when the Mesh is written (and at start), and readers never create one. Stateless and
 * thread-safe.
 */
public final class BuiltinCa {
  private static final Logger LOG = LoggerFactory.getLogger(BuiltinCa.class);

  private BuiltinCa() {}

  /**
   * A freshly generated CA for the enabled builtin backend of {@code mesh} when that backend's
   * Secrets do not both exist; empty when mTLS is off, the backend is not builtin, or its CA
   * exists.
   */
  public static Optional<NewCa> missingFor(Resource mesh, ResourceStore reads, Instant now) {
    Optional<JsonNode> backend = enabledBuiltinBackend(mesh);
    if (backend.isEmpty()) {
      return Optional.empty();
    }
    String name = backend.get().path("name").asText();
    boolean hasCert = reads.get(secretKey(mesh.name(), certName(mesh.name(), name))).isPresent();
    boolean hasKey = reads.get(secretKey(mesh.name(), keyName(mesh.name(), name))).isPresent();
    if (hasCert && hasKey) {
      return Optional.empty();
    }
    if (hasCert || hasKey) {
      // a new pair would be stored beside the half that is left: a key and a certificate that do
      // not belong together, and every workload certificate of the mesh would fail to verify
      LOG.error(
          "mtls: mesh {} backend {} has only one of its CA secrets ({} is missing); no new CA is made"
              + " over the other: restore it, or delete {} too to have a new CA made",
          mesh.name(),
          name,
          hasCert ? keyName(mesh.name(), name) : certName(mesh.name(), name),
          hasCert ? certName(mesh.name(), name) : keyName(mesh.name(), name));
      return Optional.empty();
    }
    JsonNode caCert = backend.get().path("conf").path("caCert");
    Duration lifetime =
        Durations.parse(caCert.path("expiration").asText("10y")).orElse(Duration.ofDays(3650));
    // EC P-256 unless the backend asks for RSA (caCert.RSAbits): signing a workload certificate
    // with
    // it costs a fraction of an RSA-2048 signature (B10 in docs/benchmarks.md).
    CertificateAuthority.KeyType keyType =
        caCert.has("RSAbits") || caCert.has("rsaBits")
            ? CertificateAuthority.KeyType.RSA_2048
            : CertificateAuthority.KeyType.EC_P256;
    CertificateAuthority ca = CertificateAuthority.generate(mesh.name(), keyType, lifetime, now);
    return Optional.of(
        new NewCa(
            name,
            ca.certificate().getNotAfter().toInstant(),
            secret(mesh.name(), keyName(mesh.name(), name), ca.keyPem()),
            secret(mesh.name(), certName(mesh.name(), name), ca.certificatePem())));
  }

  /**
   * A generated CA not stored yet.
   *
   * @param secrets in the order to store them: the key first, so a reader that finds the
   *     certificate finds its key too
   */
  public record NewCa(String backend, Instant notAfter, List<Resource> secrets) {
    public NewCa {
      secrets = List.copyOf(secrets);
    }

    NewCa(String backend, Instant notAfter, Resource key, Resource cert) {
      this(backend, notAfter, List.of(key, cert));
    }
  }

  static String certName(String mesh, String backend) {
    return mesh + ".ca-builtin-cert-" + backend;
  }

  static String keyName(String mesh, String backend) {
    return mesh + ".ca-builtin-key-" + backend;
  }

  private static Optional<JsonNode> enabledBuiltinBackend(Resource mesh) {
    JsonNode mtls = mesh.spec().path("mtls");
    String enabled = mtls.path("enabledBackend").asText("");
    for (JsonNode backend : mtls.path("backends")) {
      if (!enabled.isEmpty()
          && backend.path("name").asText().equals(enabled)
          && backend.path("type").asText("builtin").equals("builtin")) {
        return Optional.of(backend);
      }
    }
    return Optional.empty();
  }

  private static ResourceKey secretKey(String mesh, String name) {
    return ResourceKey.of(ResourceCatalog.SECRET, mesh, name);
  }

  private static Resource secret(String mesh, String name, String pem) {
    String data = Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    return ResourceCodec.decode(
        Documents.JSON
            .createObjectNode()
            .put("type", "Secret")
            .put("mesh", mesh)
            .put("name", name)
            .put("data", data));
  }
}
