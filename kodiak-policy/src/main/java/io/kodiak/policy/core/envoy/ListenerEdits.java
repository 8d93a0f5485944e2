package io.kodiak.policy.core.envoy;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.kodiak.policy.core.rules.Conf;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.InboundTarget;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import io.kodiak.xds.proxy.Protocol;

/** Applies a policy's merged conf to the listeners it governs: outbounds by service, inbounds by port. */
public final class ListenerEdits {
  private ListenerEdits() {}

  /** How one listener changes under one merged conf. */
  public interface ListenerEdit {
    Listener apply(Listener listener, com.fasterxml.jackson.databind.JsonNode conf, Protocol protocol, String statPrefix);
  }

  public static void outbound(ProxyResources resources, PolicyRules rules, ListenerEdit edit) {
    for (OutboundTarget target : resources.outbounds()) {
      apply(resources, target.listener(), rules.to(target.service()), target.protocol(), edit);
    }
  }

  public static void inbound(ProxyResources resources, PolicyRules rules, ListenerEdit edit) {
    for (InboundTarget target : resources.inbounds()) {
      apply(resources, target.listener(), rules.inbound(target.inbound()), target.inbound().protocol(), edit);
    }
  }

  private static void apply(ProxyResources resources, String name, Conf conf, Protocol protocol, ListenerEdit edit) {
    Listener listener = resources.listeners().get(name);
    if (listener != null && !conf.isEmpty()) {
      resources.listener(edit.apply(listener, conf.conf(), protocol, io.kodiak.xds.envoy.EnvoyNames.statPrefix(name)));
    }
  }
}
