package io.kodiak.dp.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the control plane for an Envoy bootstrap (Kuma's BootstrapRequest), retrying with backoff
 * while the control plane is unreachable, still starting, or does not know the Dataplane yet.
 */
public final class BootstrapClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(BootstrapClient.class);
  private final List<URI> endpoints;
  private URI endpoint; // the one tried last; a failure moves to the next (fetch's thread only)
  private final String token;
  private final SSLSocketFactory tls;

  /**
   * @param token the dataplane token, or empty when the control plane does not require one
   * @param caCert the CA the control plane's certificate must chain to (https addresses)
   */
  public BootstrapClient(String cpAddress, String token, Optional<Path> caCert) {
    this(List.of(cpAddress), token, caCert);
  }

  /**
   * @param cpAddresses the dp-servers of every control-plane replica, tried in turn; each is also
   *     put in Envoy's bootstrap, so Envoy moves to another replica when its own goes away
   */
  public BootstrapClient(List<String> cpAddresses, String token, Optional<Path> caCert) {
    this.token = token;
    this.tls = caCert.map(BootstrapClient::trusting).orElse(null);
    this.endpoints =
        cpAddresses.stream()
            .map(a -> a.endsWith("/") ? a.substring(0, a.length() - 1) : a)
            .map(base -> URI.create(base + "/bootstrap"))
            .toList();
    this.endpoint = endpoints.get(0);
  }

  /** {@code host:port} of each address, as the bootstrap request names them. */
  private List<String> controlPlaneAddresses() {
    return endpoints.stream()
        .map(
            u ->
                (u.getHost().contains(":") ? "[" + u.getHost() + "]" : u.getHost()) + ":" + port(u))
        .toList();
  }

  private static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
  }

  private void nextEndpoint() {
    endpoint = endpoints.get((endpoints.indexOf(endpoint) + 1) % endpoints.size());
  }

  /**
   * Returns the bootstrap (Envoy config text) for the Dataplane.
   *
   * @throws BootstrapRefusedException when the control plane refuses the Dataplane for good
   * @throws InterruptedException when asked to stop while waiting
   */
  public String fetch(
      String mesh,
      String name,
      Optional<? extends JsonNode> dataplane,
      String agentVersion,
      Supplier<String> envoyVersion)
      throws InterruptedException {
    ObjectNode request = JSON.createObjectNode();
    request.put("mesh", mesh).put("name", name).put("proxyType", "dataplane");
    dataplane.ifPresent(declared -> request.put("dataplaneResource", declared.toString()));
    if (!token.isEmpty()) {
      request.put("dataplaneToken", token);
    }
    ObjectNode version = request.putObject("version");
    version.putObject("kumaDp").put("version", agentVersion);
    version.putObject("envoy").put("version", envoyVersion.get());
    if (endpoints.size() > 1) {
      var addresses = request.putArray("controlPlaneAddresses");
      controlPlaneAddresses().forEach(addresses::add);
    }
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    while (true) {
      try {
        Answer res = post(request.toString());
        if (res.status() == 200) {
          String encoded = JSON.readTree(res.body()).path("bootstrap").asText();
          return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        }
        JsonNode error = parse(res.body());
        if (res.status() == 404 || res.status() >= 500) {
          LOG.info(
              "bootstrap: control plane at {} answered {} ({}); retrying in {}",
              endpoint,
              res.status(),
              error.path("detail").asText(res.body()),
              backoff.peek());
          nextEndpoint();
        } else {
          throw new BootstrapRefusedException(
              res.status(), error.path("detail").asText(res.body()), violations(error));
        }
      } catch (SSLException e) {
        throw new BootstrapRefusedException(
            0,
            "the control plane at "
                + endpoint
                + " failed TLS verification ("
                + e.getMessage()
                + "): is --ca-cert-file the control plane's CA (its dataDir/cp-ca.pem)?",
            List.of());
      } catch (IOException e) {
        LOG.info(
            "bootstrap: control plane at {} not reachable ({}); retrying in {}",
            endpoint,
            e.toString(),
            backoff.peek());
        nextEndpoint();
      }
      backoff.sleep();
    }
  }

  /** One POST over {@link java.net.HttpURLConnection}: it starts much faster than java.net.http. */
  private Answer post(String body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) endpoint.toURL().openConnection();
    if (c instanceof HttpsURLConnection https && tls != null) {
      https.setSSLSocketFactory(tls);
    }
    c.setConnectTimeout(3_000);
    c.setReadTimeout(10_000);
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "application/json");
    try (var out = c.getOutputStream()) {
      out.write(body.getBytes(StandardCharsets.UTF_8));
    }
    int status = c.getResponseCode();
    var in = status >= 400 ? c.getErrorStream() : c.getInputStream();
    String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    return new Answer(status, text);
  }

  private record Answer(int status, String body) {}

  /** An SSL socket factory that trusts only the CA certificate(s) in {@code caFile}. */
  private static SSLSocketFactory trusting(Path caFile) {
    try (var in = Files.newInputStream(caFile)) {
      var certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
      var store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (var certificate : certificates) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      var context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot use " + caFile + " as the control plane's CA: " + e.getMessage());
    }
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static List<String> violations(JsonNode error) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : error.path("invalid_parameters")) {
      String field = p.path("field").asText("");
      out.add(
          field.isEmpty() ? p.path("reason").asText() : field + ": " + p.path("reason").asText());
    }
    return out;
  }
}
