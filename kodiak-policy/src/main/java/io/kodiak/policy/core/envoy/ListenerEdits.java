package io.kodiak.policy.core.envoy;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.kodiak.policy.core.rules.Conf;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.InboundTarget;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import io.kodiak.xds.proxy.Protocol;

/**
 * Applies a policy's merged conf to the listeners it governs: outbounds by service, inbounds by
 * port.
 */
public final class ListenerEdits {
  private ListenerEdits() {}

  /** How one listener changes under one merged conf. */
  public interface ListenerEdit<C> {
    Listener apply(Listener listener, C conf, Protocol protocol, String statPrefix);
  }

  public static <C> void outbound(
      ProxyResources resources, PolicyRules<C> rules, ListenerEdit<C> edit) {
    for (OutboundTarget target : resources.outbounds()) {
      apply(resources, target.listener(), rules.to(target.service()), target.protocol(), edit);
    }
  }

  public static <C> void inbound(
      ProxyResources resources, PolicyRules<C> rules, ListenerEdit<C> edit) {
    for (InboundTarget target : resources.inbounds()) {
      apply(
          resources,
          target.listener(),
          rules.inbound(target.inbound()),
          target.inbound().protocol(),
          edit);
    }
  }

  private static <C> void apply(
      ProxyResources resources,
      String name,
      Conf<C> conf,
      Protocol protocol,
      ListenerEdit<C> edit) {
    Listener listener = resources.listeners().get(name);
    if (listener != null && !conf.isEmpty()) {
      resources.listener(edit.apply(listener, conf.value(), protocol, EnvoyNames.statPrefix(name)));
    }
  }
}
