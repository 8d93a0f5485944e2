package io.kodiak.e2e.support;

import java.io.IOException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** Reads the certificate a TLS server presents, without being able to complete mutual TLS. */
public final class TlsProbe {
  private TlsProbe() {}

  /**
   * The server's leaf certificate, or empty when the handshake failed before it was sent.
   *
   * @param protocol the only TLS version to offer, or null for the defaults
   */
  public static Optional<X509Certificate> serverCertificate(int port, String protocol)
      throws Exception {
    AtomicReference<X509Certificate> seen = new AtomicReference<>();
    TrustManager recorder =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {
            seen.set(chain[0]);
          }

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {recorder}, null);
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      if (protocol != null) {
        socket.setEnabledProtocols(new String[] {protocol});
      }
      socket.startHandshake();
    } catch (IOException e) {
      // the server wants a client certificate we do not have; its own was seen already, if sent
    }
    return Optional.ofNullable(seen.get());
  }

  /** The URI subject alternative names of a certificate. */
  public static List<String> uris(X509Certificate certificate) throws CertificateParsingException {
    List<String> uris = new ArrayList<>();
    for (List<?> san : certificate.getSubjectAlternativeNames()) {
      if ((Integer) san.get(0) == 6) {
        uris.add((String) san.get(1));
      }
    }
    return uris;
  }
}
