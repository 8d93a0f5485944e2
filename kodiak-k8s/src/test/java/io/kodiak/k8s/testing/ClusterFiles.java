package io.kodiak.k8s.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The files KubeApiServer hands to kube-apiserver and kubectl. Stateless. */
final class ClusterFiles {
  private ClusterFiles() {}

  /** The key pair service-account tokens are signed with (private) and checked with (public). */
  record ServiceAccountKeys(Path privateKey, Path publicKey) {}

  static ServiceAccountKeys writeServiceAccountKeys(Path dir)
      throws IOException, GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    // PKCS#8 and X.509 SubjectPublicKeyInfo: the encodings Java gives and Go's keyutil reads
    return new ServiceAccountKeys(
        writePem(dir.resolve("sa.key"), "PRIVATE KEY", pair.getPrivate().getEncoded()),
        writePem(dir.resolve("sa.pub"), "PUBLIC KEY", pair.getPublic().getEncoded()));
  }

  /** A static token file (token,user,uid,"groups"); system:masters passes every RBAC check. */
  static Path writeAdminToken(Path dir, String token) throws IOException {
    Path path = dir.resolve("tokens.csv");
    Files.writeString(path, token + ",kodiak-admin,kodiak-admin,\"system:masters\"\n");
    return path;
  }

  static void writeKubeconfig(Path path, String url, Path caCert, String token) throws IOException {
    Files.writeString(
        path,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: kodiak-test",
            "  cluster:",
            "    server: " + url,
            "    certificate-authority: " + caCert,
            "users:",
            "- name: kodiak-admin",
            "  user:",
            "    token: " + token,
            "contexts:",
            "- name: kodiak-test",
            "  context:",
            "    cluster: kodiak-test",
            "    user: kodiak-admin",
            "current-context: kodiak-test",
            ""));
  }

  /** TLS that trusts the certificates of this PEM file and nothing else. */
  static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream in = new ByteArrayInputStream(Files.readAllBytes(pem))) {
      int i = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trusted.setCertificateEntry("cert-" + i++, cert);
      }
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static Path writePem(Path path, String type, byte[] der) throws IOException {
    String base64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    Files.writeString(
        path, "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n");
    return path;
  }
}
