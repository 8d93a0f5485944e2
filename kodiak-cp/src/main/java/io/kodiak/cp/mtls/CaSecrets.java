package io.kodiak.cp.mtls;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.ca.CertificateAuthority;
import io.kodiak.ca.Pem;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.store.api.ResourceStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the CA of each mTLS backend of a mesh; never writes. A builtin CA is the pair of Secrets
 * {@link BuiltinCa} names, created by {@code ResourceManager} when the Mesh is written: when it is
 * missing, it is reported absent (logged once per backend until it appears). A provided CA is read
 * from a Secret, a file or inline data. Thread-safe.
 */
final class CaSecrets {
  private static final Logger LOG = LoggerFactory.getLogger(CaSecrets.class);
  private static final int MAX_PARSED = 64;
  private final ResourceStore store;
  // by PEM pair, empty when the key is not the certificate's; guarded by this
  private final Map<String, Optional<CertificateAuthority>> parsedCas = new HashMap<>();
  private final Set<String> reportedMissing = new HashSet<>(); // mesh/backend; guarded by this
  private final Set<String> reportedMismatch = new HashSet<>(); // mesh/backend; guarded by this

  CaSecrets(ResourceStore store) {
    this.store = store;
  }

  /** The CA of one backend; empty when it is builtin and its Secrets do not exist. */
  synchronized Optional<CertificateAuthority> of(String mesh, JsonNode backend) {
    String name = backend.path("name").asText();
    JsonNode conf = backend.path("conf");
    if (backend.path("type").asText("builtin").equals("provided")) {
      return Optional.of(parsed(read(mesh, conf.path("cert")), read(mesh, conf.path("key"))));
    }
    Optional<String> cert = secret(mesh, BuiltinCa.certName(mesh, name));
    Optional<String> key = secret(mesh, BuiltinCa.keyName(mesh, name));
    if (cert.isPresent() && key.isPresent()) {
      String which = mesh + "/" + name;
      Optional<CertificateAuthority> ca = matching(cert.get(), key.get());
      if (ca.isEmpty()) {
        if (reportedMismatch.add(which)) {
          LOG.warn(
              "mtls: the builtin CA of backend {} in mesh {} is unusable until its secrets {} and"
                  + " {} match again (their key is not the certificate's: one was replaced, as a"
                  + " restore does, and the other not yet); no certificate is issued from it",
              name,
              mesh,
              BuiltinCa.certName(mesh, name),
              BuiltinCa.keyName(mesh, name));
        }
        return Optional.empty();
      }
      reportedMismatch.remove(which);
      return ca;
    }
    return Optional.empty();
  }

  /**
   * The CA of the mesh's enabled backend, saying once (until it appears) that a builtin one is
   * missing.
   */
  synchronized Optional<CertificateAuthority> ofEnabled(String mesh, JsonNode backend) {
    Optional<CertificateAuthority> ca = of(mesh, backend);
    String which = mesh + "/" + backend.path("name").asText();
    if (ca.isPresent()) {
      reportedMissing.remove(which);
    } else if (reportedMissing.add(which)) {
      LOG.warn(
          "mtls: mesh {} enables backend {} but its builtin CA secret {} does not exist (yet): its proxies"
              + " get no certificate until it does; the leading control plane creates it when the Mesh"
              + " is written and at start",
          mesh,
          backend.path("name").asText(),
          BuiltinCa.certName(mesh, backend.path("name").asText()));
    }
    return ca;
  }

  /**
   * The CA of a certificate and key, parsed once per distinct PEM pair: every proxy's generation
   * asks for its mesh's CA, and parsing a key costs more than signing with it.
   */
  private CertificateAuthority parsed(String certPem, String keyPem) {
    return matching(certPem, keyPem)
        .orElseThrow(
            () -> new IllegalStateException("its key is not the private key of its certificate"));
  }

  /** The CA of a certificate and key, or empty when the key is not the certificate's. */
  private Optional<CertificateAuthority> matching(String certPem, String keyPem) {
    String key = certPem + "\n" + keyPem;
    Optional<CertificateAuthority> ca = parsedCas.get(key);
    if (ca == null) {
      if (parsedCas.size() >= MAX_PARSED) {
        parsedCas.clear(); // CAs rotated many times since start: start over rather than grow
      }
      X509Certificate certificate = Pem.certificate(certPem);
      PrivateKey privateKey = Pem.privateKey(keyPem);
      ca =
          CertificateAuthority.keyMatches(certificate, privateKey)
              ? Optional.of(new CertificateAuthority(certificate, privateKey))
              : Optional.empty();
      parsedCas.put(key, ca);
    }
    return ca;
  }

  /** A Kuma DataSource: {secret}, {file}, {inline} (base64) or {inlineString}. */
  private String read(String mesh, JsonNode source) {
    if (source.has("secret")) {
      return secret(mesh, source.path("secret").asText())
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "secret "
                          + source.path("secret").asText()
                          + " of mesh "
                          + mesh
                          + " does not exist"));
    } else if (source.has("file")) {
      try {
        return Files.readString(Path.of(source.path("file").asText()));
      } catch (IOException e) {
        throw new IllegalStateException(
            "cannot read " + source.path("file").asText() + ": " + e.getMessage());
      }
    } else if (source.has("inline")) {
      return new String(
          Base64.getDecoder().decode(source.path("inline").asText()), StandardCharsets.UTF_8);
    }
    return source.path("inlineString").asText();
  }

  private Optional<String> secret(String mesh, String name) {
    return store
        .get(ResourceKey.of(ResourceCatalog.SECRET, mesh, name))
        .map(
            s ->
                new String(
                    Base64.getDecoder().decode(s.spec().path("data").asText()),
                    StandardCharsets.UTF_8));
  }
}
