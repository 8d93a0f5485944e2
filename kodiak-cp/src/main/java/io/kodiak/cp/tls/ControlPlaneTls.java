package io.kodiak.cp.tls;

import io.kodiak.ca.CertificateAuthority;
import io.kodiak.ca.IssuedCertificate;
import io.kodiak.ca.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's own TLS identity for the dp-server (5678) and the HTTPS API (5682): a
 * certificate from the configured files, or else from the control plane's own CA, generated at
 * first start in the data directory ({@code cp-ca.pem} for agents' {@code --ca-cert-file}; keys
 * mode 0600). A lost certificate is issued again from that CA when the CA is intact (the
 * data-directory check refuses that start unless the operator asked for it). Immutable once loaded.
 */
public record ControlPlaneTls(Path certFile, Path keyFile, String caPem) {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneTls.class);
  public static final String CA_FILE = "cp-ca.pem";

  /**
   * @param certFile configured certificate (empty string: generate)
   * @param keyFile configured key
   * @param caFile the CA to advertise with a configured certificate (empty: the certificate itself)
   */
  public static ControlPlaneTls loadOrCreate(
      Path dataDir, String certFile, String keyFile, String caFile) {
    try {
      if (!certFile.isEmpty()) {
        String ca = Files.readString(Path.of(caFile.isEmpty() ? certFile : caFile));
        return new ControlPlaneTls(Path.of(certFile), Path.of(keyFile), ca);
      }
      Path ca = dataDir.resolve(CA_FILE);
      Path caKey = dataDir.resolve("cp-ca-key.pem");
      Path cert = dataDir.resolve("cp-tls.pem");
      Path key = dataDir.resolve("cp-tls-key.pem");
      if (Files.exists(ca) && Files.exists(caKey) && Files.exists(cert) && Files.exists(key)) {
        return new ControlPlaneTls(cert, key, Files.readString(ca));
      }
      Instant now = Instant.now();
      String caText = Files.exists(ca) && Files.exists(caKey) ? Files.readString(ca) : "";
      boolean keepCa = !caText.isEmpty();
      CertificateAuthority authority =
          keepCa
              ? new CertificateAuthority(
                  Pem.certificate(caText), Pem.privateKey(Files.readString(caKey)))
              : CertificateAuthority.generate(
                  "kodiak-control-plane",
                  CertificateAuthority.KeyType.EC_P256,
                  Duration.ofDays(3650),
                  now);
      List<String> dns = new ArrayList<>(List.of("localhost"));
      String host = InetAddress.getLocalHost().getHostName();
      if (!dns.contains(host)) {
        dns.add(host);
      }
      IssuedCertificate server =
          authority.issueServer(dns, List.of("127.0.0.1", "::1"), Duration.ofDays(3650), now);
      if (keepCa) {
        write(key, server.keyPem());
        write(cert, server.certificatePem() + caText);
        LOG.warn(
            "issued a new TLS certificate for the control plane in {} from its existing CA {} (agents keep"
                + " trusting it)",
            dataDir,
            ca);
        return new ControlPlaneTls(cert, key, caText);
      }
      write(caKey, authority.keyPem());
      write(key, server.keyPem());
      write(cert, server.certificatePem() + authority.certificatePem());
      write(ca, authority.certificatePem());
      Files.setPosixFilePermissions(
          ca, PosixFilePermissions.fromString("rw-r--r--")); // public: agents read it
      LOG.info(
          "created the control plane's CA and TLS certificate in {} (agents verify with --ca-cert-file {})",
          dataDir,
          ca);
      return new ControlPlaneTls(cert, key, authority.certificatePem());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set up the control plane's TLS in " + dataDir, e);
    }
  }

  /** Checks that the CA text is really a certificate, so a bad configuration fails at start. */
  public ControlPlaneTls {
    Pem.certificate(caPem);
  }

  private static void write(Path file, String text) throws IOException {
    Path temp =
        Files.createTempFile(
            file.getParent(),
            file.getFileName().toString(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(temp, text);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
