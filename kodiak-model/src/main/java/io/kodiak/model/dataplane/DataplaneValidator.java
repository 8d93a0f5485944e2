package io.kodiak.model.dataplane;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.Addresses;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Tags;
import io.kodiak.model.validation.Tags.ServiceTag;
import io.kodiak.model.validation.Violations;
import java.util.HashSet;
import java.util.Set;

/**
 * Semantic rules of a Dataplane: an address, inbounds (or a gateway) that name their service, valid
 * and unique ports, outbounds that say where they go.
 */
public final class DataplaneValidator implements ResourceValidator {
  @Override
  public void validate(Resource resource, Violations out) {
    At networking = At.of(resource.spec(), FieldPath.root()).field("networking");
    if (!networking.present()) {
      out.add(networking.path(), "must be defined");
      return;
    }
    At address = networking.field("address");
    if (address.text().isEmpty()) {
      out.add(address.path(), "must be defined and not empty");
    } else if (!Addresses.isIpOrHost(address.text())) {
      out.add(address.path(), "must be a valid IP address or host name");
    }
    Addresses.ip(networking.field("advertisedAddress"), out);
    At gateway = networking.field("gateway");
    At inbounds = networking.field("inbound");
    if (gateway.present()) {
      if (!inbounds.items().isEmpty()) {
        out.add(inbounds.path(), "must be empty when a gateway is defined");
      }
      Tags.check(gateway.field("tags"), ServiceTag.REQUIRED, out);
    } else if (inbounds.items().isEmpty()) {
      out.add(inbounds.path(), "must have at least one inbound, or define a gateway");
    }
    Set<String> used = new HashSet<>();
    At adminPort = networking.field("admin").field("port");
    Addresses.port(adminPort, out);
    for (At inbound : inbounds.items()) {
      validateInbound(inbound, used, out);
    }
    if (adminPort.present() && used.contains(":" + adminPort.node().asInt())) {
      out.add(
          adminPort.path(), "port " + adminPort.node().asInt() + " is already used by an inbound");
    }
    for (At outbound : networking.field("outbound").items()) {
      validateOutbound(outbound, out);
    }
    At proxying = networking.field("transparentProxying");
    Addresses.port(proxying.field("redirectPortInbound"), out);
    Addresses.port(proxying.field("redirectPortOutbound"), out);
  }

  private static void validateInbound(At inbound, Set<String> used, Violations out) {
    At port = inbound.field("port");
    port.require(out);
    Addresses.port(port, out);
    Addresses.port(inbound.field("servicePort"), out);
    Addresses.ip(inbound.field("address"), out);
    Addresses.ip(inbound.field("serviceAddress"), out);
    String key = inbound.field("address").text() + ":" + port.node().asInt();
    if (port.present() && !used.add(key)) {
      out.add(port.path(), "port " + port.node().asInt() + " is already used by another inbound");
    }
    Tags.check(inbound.field("tags"), ServiceTag.REQUIRED, out);
    At state = inbound.field("state");
    if (state.present()
        && state.node().isTextual()
        && !Set.of("Ready", "NotReady", "Ignored").contains(state.text())) {
      out.add(state.path(), "must be one of: Ignored, NotReady, Ready");
    }
  }

  private static void validateOutbound(At outbound, Violations out) {
    At port = outbound.field("port");
    port.require(out);
    Addresses.port(port, out);
    Addresses.ip(outbound.field("address"), out);
    At tags = outbound.field("tags");
    At backendRef = outbound.field("backendRef");
    if (tags.present() && backendRef.present()) {
      out.add(outbound.path(), "must define either tags or backendRef, not both");
    } else if (backendRef.present()) {
      backendRef.field("name").require(out);
      Addresses.port(backendRef.field("port"), out);
    } else {
      Tags.check(tags, ServiceTag.REQUIRED, out);
    }
  }
}
