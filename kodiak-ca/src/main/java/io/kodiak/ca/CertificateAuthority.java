package io.kodiak.ca;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority: a CA certificate and its key, able to issue SPIFFE workload
 * certificates. Immutable and thread-safe.
 */
public final class CertificateAuthority {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final X509Certificate certificate;
  private final PrivateKey key;
  private volatile String certificatePem;

  /** The same for every certificate this CA issues: worked out once, not per certificate. */
  private final X500Name issuerName;

  private final AuthorityKeyIdentifier authorityKeyId;
  private final KeyType keyType;

  public CertificateAuthority(X509Certificate certificate, PrivateKey key) {
    this.certificate = certificate;
    this.key = key;
    this.issuerName = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    this.keyType = KeyType.of(key);
    try {
      this.authorityKeyId = new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate);
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot read the CA certificate's key identifier", e);
    }
  }

  /**
   * Whether {@code key} is the private half of {@code certificate}'s public key (checked by signing
   * a probe with it): a CA whose certificate and key were replaced one at a time may not be.
   */
  public static boolean keyMatches(X509Certificate certificate, PrivateKey key) {
    String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    byte[] probe = "kodiak CA key check".getBytes(StandardCharsets.UTF_8);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // a key of another type than the certificate's cannot be its pair
    }
  }

  /** Creates a self-signed CA (the builtin backend) for a mesh. */
  public static CertificateAuthority generate(
      String mesh, KeyType keyType, Duration lifetime, Instant now) {
    KeyPair keys = keyType.generate();
    X500Name subject = new X500Name("O=Kodiak, OU=Mesh, CN=" + mesh);
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(lifetime)),
              subject,
              keys.getPublic());
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          utils.createSubjectKeyIdentifier(keys.getPublic()));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + mesh)));
      return new CertificateAuthority(sign(builder, keys.getPrivate(), keyType), keys.getPrivate());
    } catch (CertIOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot create a CA for mesh " + mesh, e);
    }
  }

  /**
   * Issues a workload certificate: SPIFFE ID as the first URI SAN, then one {@code
   * kuma://tag/value} URI per tag, usable for TLS client and server authentication.
   */
  public IssuedCertificate issue(
      String spiffeId, List<String> tagUris, Duration lifetime, Instant now) {
    // Workload keys are always EC P-256, whatever the CA's key: an RSA-2048 key pair costs ~80 ms
    // of CPU, which made issuing the certificates of 1,000 connecting proxies take over a minute.
    KeyPair keys = KeyType.EC_P256.generate();
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuerName,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(1))),
              Date.from(now.plus(lifetime)),
              new X500Name(""),
              keys.getPublic());
      List<GeneralName> names = new ArrayList<>();
      names.add(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId));
      tagUris.forEach(
          uri -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
      builder.addExtension(
          Extension.subjectAlternativeName,
          true,
          new GeneralNames(names.toArray(GeneralName[]::new)));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      builder.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId);
      // PEM straight from the signed DER: parsing it back into an X509Certificate is not needed
      X509CertificateHolder issued = builder.build(signer(key, keyType));
      return new IssuedCertificate(
          Pem.encode(issued), Pem.encode(keys.getPrivate()), now, issued.getNotAfter().toInstant());
    } catch (CertIOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + spiffeId, e);
    }
  }

  /**
   * Issues a TLS server certificate for the given DNS names and IP addresses (the control plane's
   * own).
   */
  public IssuedCertificate issueServer(
      List<String> dnsNames, List<String> ips, Duration lifetime, Instant now) {
    KeyPair keys = keyType.generate();
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuerName,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(1))),
              Date.from(now.plus(lifetime)),
              new X500Name(
                  "O=Kodiak, CN=" + (dnsNames.isEmpty() ? "control-plane" : dnsNames.get(0))),
              keys.getPublic());
      List<GeneralName> names = new ArrayList<>();
      dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
      ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      X509Certificate issued = sign(builder, key, keyType);
      return new IssuedCertificate(
          Pem.encode(issued), Pem.encode(keys.getPrivate()), now, issued.getNotAfter().toInstant());
    } catch (CertIOException e) {
      throw new IllegalStateException("cannot issue the control plane's certificate", e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public String certificatePem() {
    String pem = certificatePem;
    if (pem == null) {
      pem =
          Pem.encode(certificate); // asked on every proxy's generation: encode once (a benign race)
      certificatePem = pem;
    }
    return pem;
  }

  public String keyPem() {
    return Pem.encode(key);
  }

  private static X509Certificate sign(
      X509v3CertificateBuilder builder, PrivateKey signer, KeyType type) {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer(signer, type)));
    } catch (CertificateException e) {
      throw new IllegalStateException("cannot sign a certificate", e);
    }
  }

  private static ContentSigner signer(PrivateKey key, KeyType type) {
    try {
      return new JcaContentSignerBuilder(type.signatureAlgorithm()).build(key);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign with the CA's key", e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  /** Key algorithms for CAs and workloads. */
  public enum KeyType {
    RSA_2048,
    EC_P256;

    KeyPair generate() {
      try {
        if (this == RSA_2048) {
          KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
          g.initialize(2048, RANDOM);
          return g.generateKeyPair();
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot generate a " + this + " key", e);
      }
    }

    String signatureAlgorithm() {
      return this == RSA_2048 ? "SHA256withRSA" : "SHA256withECDSA";
    }

    static KeyType of(PrivateKey key) {
      return key.getAlgorithm().equals("RSA") ? RSA_2048 : EC_P256;
    }
  }
}
