package io.kodiak.xds.generate;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.Protos;
import io.kodiak.xds.generate.ProxyResources.OutboundTarget;
import io.kodiak.xds.proxy.Outbound;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A shared outbound part moved to another {@code address:port} of the same service: callers that
 * reach one service on different ports share its clusters, routes and endpoints, and only the
 * listener differs. What in an outbound listener names its {@code address:port} is its name, its
 * address and the stat prefixes the generators and plugins derive from the name (the connection
 * manager's, the TCP proxy's, the local rate limits'); they are rewritten here. A listener that
 * still holds the old name or prefix afterwards (something else embedded it) is not moved: the
 * caller then builds the part for the new address itself. Stateless.
 */
final class OutboundRelocation {
  /** An address no generated name contains (a control character). */
  private static final String NOWHERE = "\u0001";

  private OutboundRelocation() {}

  /**
   * Whether {@code part} can be moved to another address of its service: it has one listener, and
   * nothing of the old name or stat prefix is left once it is moved. Depends on the part only, so
   * it is asked once per part, not once per destination.
   */
  static boolean movable(OutboundParts.Part part) {
    Outbound from = part.outbound();
    String fromName = EnvoyNames.outboundListener(from.address(), from.port());
    Listener listener = part.listeners().get(fromName);
    if (listener == null || part.listeners().size() != 1) {
      return false; // a proxyless target, or a listener this class does not know how to move
    }
    // moved to an address no name contains: what is left of the old name is then a real
    // leftover, even when a new name contains the old one (port 80 moved to 8080)
    Outbound nowhere = new Outbound(NOWHERE, 1, from.service());
    byte[] probe =
        moved(listener, fromName, EnvoyNames.outboundListener(NOWHERE, 1), nowhere).toByteArray();
    return !contains(probe, fromName) && !contains(probe, EnvoyNames.statPrefix(fromName));
  }

  /**
   * {@code part}, built for another outbound of {@code to}'s service and {@link #movable}, moved to
   * {@code to}.
   */
  static OutboundParts.Part relocate(OutboundParts.Part part, Outbound to) {
    Outbound from = part.outbound();
    String fromName = EnvoyNames.outboundListener(from.address(), from.port());
    String toName = EnvoyNames.outboundListener(to.address(), to.port());
    Listener listener = part.listeners().get(fromName);
    Listener moved = moved(listener, fromName, toName, to);
    List<OutboundTarget> targets = new ArrayList<>();
    for (OutboundTarget target : part.targets()) {
      targets.add(
          target.outbound().equals(from)
              ? new OutboundTarget(
                  to, toName, target.protocol(), target.routeConfig(), target.cluster())
              : target);
    }
    IdentityHashMap<Message, String> hashes = new IdentityHashMap<>(part.hashes());
    hashes.remove(listener);
    hashes.put(moved, ProxyConfig.resourceHash(moved));
    return new OutboundParts.Part(
        to,
        Map.of(toName, moved),
        part.routes(),
        part.clusters(),
        part.endpoints(),
        part.serviceOfCluster(),
        List.copyOf(targets),
        hashes);
  }

  private static Listener moved(Listener listener, String fromName, String toName, Outbound to) {
    String fromPrefix = EnvoyNames.statPrefix(fromName);
    String toPrefix = EnvoyNames.statPrefix(toName);
    Listener.Builder out = listener.toBuilder().setName(toName);
    if (listener.hasAddress()) {
      out.setAddress(Protos.socket(to.address(), to.port()));
    }
    for (int c = 0; c < out.getFilterChainsCount(); c++) {
      FilterChain.Builder chain = out.getFilterChains(c).toBuilder();
      for (int f = 0; f < chain.getFiltersCount(); f++) {
        Filter filter = chain.getFilters(f);
        Any config = filter.getTypedConfig();
        Any moved = config;
        if (config.is(HttpConnectionManager.class)) {
          HttpConnectionManager.Builder hcm =
              unpack(config, HttpConnectionManager.class).toBuilder();
          hcm.setStatPrefix(swap(hcm.getStatPrefix(), fromPrefix, toPrefix));
          for (int h = 0; h < hcm.getHttpFiltersCount(); h++) {
            HttpFilter http = hcm.getHttpFilters(h);
            if (http.getTypedConfig().is(LocalRateLimit.class)) {
              LocalRateLimit limit = unpack(http.getTypedConfig(), LocalRateLimit.class);
              hcm.setHttpFilters(
                  h,
                  http.toBuilder()
                      .setTypedConfig(
                          Any.pack(
                              limit.toBuilder()
                                  .setStatPrefix(swap(limit.getStatPrefix(), fromPrefix, toPrefix))
                                  .build())));
            }
          }
          moved = Any.pack(hcm.build());
        } else if (config.is(TcpProxy.class)) {
          TcpProxy tcp = unpack(config, TcpProxy.class);
          moved =
              Any.pack(
                  tcp.toBuilder()
                      .setStatPrefix(swap(tcp.getStatPrefix(), fromPrefix, toPrefix))
                      .build());
        } else if (config.is(
            io.envoyproxy.envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit
                .class)) {
          var limit =
              unpack(
                  config,
                  io.envoyproxy.envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit
                      .class);
          moved =
              Any.pack(
                  limit.toBuilder()
                      .setStatPrefix(swap(limit.getStatPrefix(), fromPrefix, toPrefix))
                      .build());
        }
        if (moved != config) {
          chain.setFilters(f, filter.toBuilder().setTypedConfig(moved));
        }
      }
      out.setFilterChains(c, chain);
    }
    return out.build();
  }

  private static String swap(String value, String from, String to) {
    return value.startsWith(from) ? to + value.substring(from.length()) : value;
  }

  private static boolean contains(byte[] haystack, String needle) {
    return new String(haystack, StandardCharsets.ISO_8859_1)
        .contains(new String(needle.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
  }

  private static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("generated " + any.getTypeUrl() + " does not unpack", e);
    }
  }
}
