package io.kodiak.dp.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Asks the control plane for an Envoy bootstrap (Kuma's BootstrapRequest), retrying with backoff
 * while the control plane is unreachable, still starting, or does not know the Dataplane yet.
 */
public final class BootstrapClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BootstrapClient.class);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
      .version(HttpClient.Version.HTTP_1_1).build();
  private final URI endpoint;

  public BootstrapClient(String cpAddress) {
    String base = cpAddress.endsWith("/") ? cpAddress.substring(0, cpAddress.length() - 1) : cpAddress;
    this.endpoint = URI.create(base + "/bootstrap");
  }

  /**
   * Returns the bootstrap (Envoy config text) for the Dataplane.
   *
   * @throws BootstrapRefusedException when the control plane refuses the Dataplane for good
   * @throws InterruptedException when asked to stop while waiting
   */
  public String fetch(String mesh, String name, JsonNode dataplane, String agentVersion, String envoyVersion)
      throws InterruptedException {
    ObjectNode request = JSON.createObjectNode();
    request.put("mesh", mesh).put("name", name).put("proxyType", "dataplane")
        .put("dataplaneResource", dataplane.toString());
    ObjectNode version = request.putObject("version");
    version.putObject("kumaDp").put("version", agentVersion);
    version.putObject("envoy").put("version", envoyVersion);
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    while (true) {
      try {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(request.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() == 200) {
          String encoded = JSON.readTree(res.body()).path("bootstrap").asText();
          return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        }
        JsonNode error = parse(res.body());
        if (res.statusCode() == 404 || res.statusCode() >= 500) {
          LOG.info("bootstrap: control plane answered {} ({}); retrying in {}", res.statusCode(),
              error.path("detail").asText(res.body()), backoff.peek());
        } else {
          throw new BootstrapRefusedException(res.statusCode(), error.path("detail").asText(res.body()),
              violations(error));
        }
      } catch (IOException e) {
        LOG.info("bootstrap: control plane at {} not reachable ({}); retrying in {}", endpoint, e.toString(),
            backoff.peek());
      }
      backoff.sleep();
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
      out.add(field.isEmpty() ? p.path("reason").asText() : field + ": " + p.path("reason").asText());
    }
    return out;
  }
}
