package io.kodiak.xds.generate;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.generate.ProxyResources.InboundTarget;
import io.kodiak.xds.mesh.MeshMtls;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The inbound edits that only make sense with mutual TLS, for the plugins of the inbound phase: who
 * may call (RBAC over the caller's identity) and the TLS settings and mode of one inbound. The base
 * inbound listener allows nobody over mTLS until a plugin says otherwise. This class knows where
 * the generator put those settings, never which policy sets them. Each edit does nothing when the
 * proxy has no mTLS.
 */
public final class InboundEdits {
  private InboundEdits() {}

  /** What one inbound's TLS looks like; empty fields keep Envoy's and the mesh's defaults. */
  public record TlsSettings(
      Optional<MeshMtls.Mode> mode,
      Optional<String> minVersion,
      Optional<String> maxVersion,
      List<String> ciphers) {
    public static final TlsSettings DEFAULT =
        new TlsSettings(Optional.empty(), Optional.empty(), Optional.empty(), List.of());

    public TlsSettings {
      ciphers = List.copyOf(ciphers);
    }
  }

  /** The RBAC rules that decide which authenticated callers reach {@code target}. */
  public static void authorize(ProxyResources out, InboundTarget target, RBAC rules) {
    if (out.mtls().isEmpty()) {
      return;
    }
    if (target.routeConfig().isPresent()) {
      RouteConfiguration routes = out.routes().get(target.routeConfig().get());
      out.route(Routes.withRbac(routes, rules));
      return;
    }
    editTlsChain(
        out,
        target,
        chain -> {
          FilterChain.Builder edited = chain.toBuilder().clearFilters();
          for (Filter filter : chain.getFiltersList()) {
            edited.addFilters(
                filter.getName().equals(EnvoyNames.NETWORK_RBAC_FILTER)
                    ? HttpFilters.networkRbac(EnvoyNames.statPrefix(target.listener()), rules)
                    : filter);
          }
          return edited.build();
        });
  }

  /**
   * TLS versions and ciphers of {@code target}, and its mode: STRICT drops the plaintext chain,
   * PERMISSIVE keeps one beside the TLS chain (plaintext callers carry no identity, so permissions
   * cannot apply to them).
   */
  public static void tls(ProxyResources out, InboundTarget target, TlsSettings settings) {
    if (out.mtls().isEmpty()) {
      return;
    }
    Listener listener = out.listeners().get(target.listener());
    FilterChain secure =
        tlsChain(listener).toBuilder().setTransportSocket(Mtls.downstream(settings)).build();
    MeshMtls.Mode mode = settings.mode().orElse(out.mtls().get().mode());
    Listener.Builder edited = listener.toBuilder().clearFilterChains().addFilterChains(secure);
    if (mode == MeshMtls.Mode.PERMISSIVE) {
      edited.addFilterChains(target.plaintextChain());
    }
    out.listener(edited.build());
  }

  private static void editTlsChain(
      ProxyResources out, InboundTarget target, UnaryOperator<FilterChain> edit) {
    Listener listener = out.listeners().get(target.listener());
    Listener.Builder edited = listener.toBuilder().clearFilterChains();
    for (FilterChain chain : listener.getFilterChainsList()) {
      edited.addFilterChains(isTls(chain) ? edit.apply(chain) : chain);
    }
    out.listener(edited.build());
  }

  private static FilterChain tlsChain(Listener listener) {
    return listener.getFilterChainsList().stream()
        .filter(InboundEdits::isTls)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "inbound listener " + listener.getName() + " has no TLS chain"));
  }

  private static boolean isTls(FilterChain chain) {
    return chain.getFilterChainMatch().getTransportProtocol().equals("tls");
  }
}
