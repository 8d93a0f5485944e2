package io.kodiak.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The xDS streams of every proxy a control plane knows, as its REST API reports them: each mesh's
 * {@code dataplanes/_overview} with the DataplaneInsight's remembered subscriptions. Stateless.
 */
final class ProxySubscriptions {
  private ProxySubscriptions() {}

  /** One stream of one proxy ({@code mesh/name}): responses sent and rejected (NACKed) on it. */
  record Subscription(String proxy, String id, long sent, long rejected, String lastNack) {
    /** Identifies the stream across two readings. */
    String key() {
      return proxy + " " + id;
    }
  }

  /**
   * Every subscription of every Dataplane in every mesh of the control plane at {@code cpUrl}.
   *
   * @throws IllegalStateException when the API does not answer a list
   */
  static List<Subscription> of(String cpUrl) {
    List<Subscription> all = new ArrayList<>();
    for (JsonNode mesh : list(cpUrl, "/meshes?size=1000")) {
      String name = mesh.path("name").asText();
      for (JsonNode dataplane :
          list(cpUrl, "/meshes/" + encode(name) + "/dataplanes/_overview?size=1000")) {
        String proxy = name + "/" + dataplane.path("name").asText();
        for (JsonNode subscription : dataplane.path("dataplaneInsight").path("subscriptions")) {
          JsonNode status = subscription.path("status");
          JsonNode nack = status.path("lastNack");
          all.add(
              new Subscription(
                  proxy,
                  subscription.path("id").asText(),
                  status.path("total").path("responsesSent").asLong(),
                  status.path("total").path("responsesRejected").asLong(),
                  nack.isMissingNode()
                      ? ""
                      : nack.path("type").asText() + ": " + oneLine(nack.path("error").asText())));
        }
      }
    }
    return all;
  }

  private static JsonNode list(String cpUrl, String path) {
    ProxyStatus.Reply reply = ProxyStatus.get(cpUrl, path);
    if (reply.status() != 200) {
      throw new IllegalStateException(
          "GET " + cpUrl + path + " answered " + reply.status() + ": " + reply.body());
    }
    JsonNode body = reply.json();
    if (body.path("items").size() < body.path("total").asLong()) {
      throw new IllegalStateException(
          "GET "
              + cpUrl
              + path
              + " lists "
              + body.path("items").size()
              + " of "
              + body.path("total").asLong()
              + ": page through it");
    }
    return body.path("items");
  }

  private static String oneLine(String text) {
    return text.strip().replace("\n", "\\n");
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8);
  }
}
