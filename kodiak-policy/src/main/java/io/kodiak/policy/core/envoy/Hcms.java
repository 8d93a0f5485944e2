package io.kodiak.policy.core.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.kodiak.xds.envoy.EnvoyNames;
import java.util.function.UnaryOperator;

/** Edits inside listeners: the HTTP connection managers and TCP proxies of every filter chain. */
public final class Hcms {
  private Hcms() {}

  /**
   * Applies {@code edit} to every HTTP connection manager of the listener (chains and API
   * listener).
   */
  public static Listener editHcm(Listener listener, UnaryOperator<HttpConnectionManager> edit) {
    Listener.Builder out =
        editFilters(listener, EnvoyNames.HCM_FILTER, HttpConnectionManager.class, edit).toBuilder();
    if (out.hasApiListener()) {
      HttpConnectionManager hcm =
          unpack(out.getApiListener().getApiListener(), HttpConnectionManager.class);
      out.setApiListener(
          out.getApiListener().toBuilder().setApiListener(Any.pack(edit.apply(hcm))));
    }
    return out.build();
  }

  /** Applies {@code edit} to every TCP proxy of the listener. */
  public static Listener editTcpProxy(Listener listener, UnaryOperator<TcpProxy> edit) {
    return editFilters(listener, EnvoyNames.TCP_PROXY_FILTER, TcpProxy.class, edit);
  }

  /** Applies {@code edit} to the typed config of every network filter with this name. */
  private static <T extends Message> Listener editFilters(
      Listener listener, String name, Class<T> type, UnaryOperator<T> edit) {
    return editChains(listener, chain -> editFilters(chain, name, type, edit));
  }

  /**
   * Applies {@code edit} to each filter chain of the listener (for edits that depend on the chain).
   */
  public static Listener editChains(Listener listener, UnaryOperator<FilterChain> edit) {
    Listener.Builder out = listener.toBuilder();
    for (int c = 0; c < out.getFilterChainsCount(); c++) {
      out.setFilterChains(c, edit.apply(out.getFilterChains(c)));
    }
    return out.build();
  }

  /** Applies {@code edit} to every HTTP connection manager of one filter chain. */
  public static FilterChain editHcm(FilterChain chain, UnaryOperator<HttpConnectionManager> edit) {
    return editFilters(chain, EnvoyNames.HCM_FILTER, HttpConnectionManager.class, edit);
  }

  /** Applies {@code edit} to every TCP proxy of one filter chain. */
  public static FilterChain editTcpProxy(FilterChain chain, UnaryOperator<TcpProxy> edit) {
    return editFilters(chain, EnvoyNames.TCP_PROXY_FILTER, TcpProxy.class, edit);
  }

  private static <T extends Message> FilterChain editFilters(
      FilterChain chain, String name, Class<T> type, UnaryOperator<T> edit) {
    FilterChain.Builder out = chain.toBuilder();
    for (int f = 0; f < out.getFiltersCount(); f++) {
      Filter filter = out.getFilters(f);
      if (filter.getName().equals(name)) {
        T config = unpack(filter.getTypedConfig(), type);
        out.setFilters(f, filter.toBuilder().setTypedConfig(Any.pack(edit.apply(config))));
      }
    }
    return out.build();
  }

  /** Inserts a network filter right before the TCP proxy of every chain that has one. */
  public static Listener beforeTcpProxy(Listener listener, Filter added) {
    Listener.Builder out = listener.toBuilder();
    for (int c = 0; c < out.getFilterChainsCount(); c++) {
      FilterChain.Builder chain = out.getFilterChains(c).toBuilder();
      for (int f = 0; f < chain.getFiltersCount(); f++) {
        if (chain.getFilters(f).getName().equals(EnvoyNames.TCP_PROXY_FILTER)) {
          chain.addFilters(f, added);
          break;
        }
      }
      out.setFilterChains(c, chain);
    }
    return out.build();
  }

  /** The HTTP filter inserted just before the router (which must stay last). */
  public static HttpConnectionManager withFilterBeforeRouter(
      HttpConnectionManager hcm, HttpFilter filter) {
    HttpConnectionManager.Builder out = hcm.toBuilder();
    int router = out.getHttpFiltersCount() - 1;
    out.addHttpFilters(Math.max(router, 0), filter);
    return out.build();
  }

  /** Applies {@code edit} to every route of a route configuration. */
  public static RouteConfiguration editRoutes(
      RouteConfiguration config, UnaryOperator<Route> edit) {
    RouteConfiguration.Builder out = config.toBuilder();
    for (int h = 0; h < out.getVirtualHostsCount(); h++) {
      VirtualHost.Builder host = out.getVirtualHosts(h).toBuilder();
      for (int r = 0; r < host.getRoutesCount(); r++) {
        host.setRoutes(r, edit.apply(host.getRoutes(r)));
      }
      out.setVirtualHosts(h, host);
    }
    return out.build();
  }

  public static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "generated " + any.getTypeUrl() + " does not unpack as " + type.getSimpleName(), e);
    }
  }
}
