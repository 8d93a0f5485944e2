package io.kodiak.ctl.install;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.ca.CertificateAuthority;
import io.kodiak.ca.IssuedCertificate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The control plane's TLS identity for an install: a fresh CA and a server certificate it signs for
 * the Service's DNS names. The API server trusts the CA for the webhooks (their {@code caBundle});
 * the control plane serves the certificate on 5682 and 5678 (its {@code dpServer.tls} files).
 *
 * @param chainPem the server certificate, then the CA's
 */
record ServingCertificate(String caPem, String chainPem, String keyPem) {
  static final String SECRET = ControlPlaneManifests.NAME + "-tls";

  /** As long as the control plane's own CA lasts (ControlPlaneTls); renewed by installing again. */
  private static final Duration LIFETIME = Duration.ofDays(3650);

  static ServingCertificate issue(String namespace, Instant now) {
    CertificateAuthority ca =
        CertificateAuthority.generate(
            ControlPlaneManifests.NAME, CertificateAuthority.KeyType.EC_P256, LIFETIME, now);
    IssuedCertificate server = ca.issueServer(dnsNames(namespace), List.of(), LIFETIME, now);
    return new ServingCertificate(
        ca.certificatePem(), server.certificatePem() + ca.certificatePem(), server.keyPem());
  }

  /**
   * What a client in the cluster dials: the API server calls webhooks at {@code <svc>.<ns>.svc}.
   */
  static List<String> dnsNames(String namespace) {
    String service = ControlPlaneManifests.NAME + "." + namespace;
    return List.of(
        ControlPlaneManifests.NAME, service, service + ".svc", service + ".svc.cluster.local");
  }

  /** A {@code kubernetes.io/tls} Secret with the CA beside the pair, as cert-manager writes it. */
  ObjectNode secret(String namespace) {
    ObjectNode secret = KubeObjects.namespaced("v1", "Secret", SECRET, namespace);
    secret.put("type", "kubernetes.io/tls");
    secret
        .putObject("data")
        .put("tls.crt", base64(chainPem))
        .put("tls.key", base64(keyPem))
        .put("ca.crt", base64(caPem));
    return secret;
  }

  /** The CA as a webhook's {@code caBundle}. */
  String caBundle() {
    return base64(caPem);
  }

  /**
   * Changes with every install: on the pod template it rolls the control plane onto a new
   * certificate, which it reads only at start.
   */
  String fingerprint() {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(chainPem.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
