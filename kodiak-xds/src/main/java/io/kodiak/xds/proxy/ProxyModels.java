package io.kodiak.xds.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.core.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds a {@link ProxyModel} from a Dataplane resource, filling in Kuma's defaults. */
public final class ProxyModels {
  public static final int DEFAULT_ADMIN_PORT = 9901;
  private static final String LOOPBACK = "127.0.0.1";

  private ProxyModels() {}

  public static ProxyModel fromDataplane(Resource dataplane) {
    JsonNode networking = dataplane.spec().path("networking");
    String address = networking.path("address").asText();
    List<Inbound> inbounds = new ArrayList<>();
    for (JsonNode in : networking.path("inbound")) {
      int port = in.path("port").asInt();
      Map<String, String> tags = tags(in.path("tags"));
      String state = in.path("state").asText("Ready");
      boolean ready = in.path("health").path("ready").asBoolean(true) && state.equals("Ready");
      inbounds.add(
          new Inbound(
              in.path("address").asText(address),
              port,
              in.path("serviceAddress").asText(LOOPBACK),
              in.path("servicePort").asInt(port),
              tags,
              Protocol.fromTag(tags.get("kuma.io/protocol")),
              ready));
    }
    List<Outbound> outbounds = new ArrayList<>();
    for (JsonNode out : networking.path("outbound")) {
      String service =
          out.has("backendRef")
              ? out.path("backendRef").path("name").asText()
              : out.path("tags").path("kuma.io/service").asText();
      outbounds.add(
          new Outbound(out.path("address").asText(LOOPBACK), out.path("port").asInt(), service));
    }
    int admin = networking.path("admin").path("port").asInt(DEFAULT_ADMIN_PORT);
    return new ProxyModel(
        dataplane.mesh(),
        dataplane.name(),
        address,
        inbounds,
        outbounds,
        admin,
        dataplane.meta().labels(),
        transparentProxying(networking.path("transparentProxying")));
  }

  /** Kuma's rule: a Dataplane is transparently proxied when it names both redirect ports. */
  private static Optional<TransparentProxying> transparentProxying(JsonNode proxying) {
    int inbound = proxying.path("redirectPortInbound").asInt(0);
    int outbound = proxying.path("redirectPortOutbound").asInt(0);
    return inbound == 0 || outbound == 0
        ? Optional.empty()
        : Optional.of(new TransparentProxying(inbound, outbound));
  }

  private static Map<String, String> tags(JsonNode node) {
    Map<String, String> tags = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
    return tags;
  }
}
