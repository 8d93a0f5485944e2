package io.kodiak.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** What a control plane's REST API says about a proxy in mesh {@code default} (no token needed). */
public final class ProxyStatus {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private ProxyStatus() {}

  /** Whether the proxy's latest subscription is open. */
  public static boolean online(String cpUrl, String name) {
    JsonNode subscriptions = overview(cpUrl, name).path("dataplaneInsight").path("subscriptions");
    return subscriptions.size() > 0
        && !subscriptions.get(subscriptions.size() - 1).has("disconnectTime");
  }

  /** The control-plane instance holding the proxy's open stream, or "" when it is offline. */
  public static String heldBy(String cpUrl, String name) {
    JsonNode subscriptions = overview(cpUrl, name).path("dataplaneInsight").path("subscriptions");
    if (subscriptions.isEmpty()) {
      return "";
    }
    JsonNode latest = subscriptions.get(subscriptions.size() - 1);
    return latest.has("disconnectTime") ? "" : latest.path("controlPlaneInstanceId").asText();
  }

  /**
   * The totals of the proxy's latest subscription ({@code responsesSent}, {@code
   * responsesRejected}, ...).
   */
  public static JsonNode latestTotals(String cpUrl, String name) {
    JsonNode subscriptions = overview(cpUrl, name).path("dataplaneInsight").path("subscriptions");
    return subscriptions.size() == 0
        ? JSON.createObjectNode()
        : subscriptions.get(subscriptions.size() - 1).path("status").path("total");
  }

  /** The proxy's {@code _overview}, or an empty object when there is none. */
  public static JsonNode overview(String cpUrl, String name) {
    Reply reply = get(cpUrl, "/meshes/default/dataplanes/" + name + "/_overview");
    return reply.status() == 200 ? reply.json() : JSON.createObjectNode();
  }

  /** A GET; status 0 when the control plane did not answer. */
  public static Reply get(String cpUrl, String path) {
    try {
      HttpResponse<String> res =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(cpUrl + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Reply(res.statusCode(), res.body());
    } catch (IOException e) {
      return new Reply(0, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Reply(0, "interrupted");
    }
  }

  /** An HTTP answer. */
  public record Reply(int status, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
