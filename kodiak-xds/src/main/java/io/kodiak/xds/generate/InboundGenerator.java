package io.kodiak.xds.generate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.Protos;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.Optional;

/**
 * For each inbound: a listener on {@code address:port} that hands traffic to the application, and a
 * static cluster for the application at {@code serviceAddress:servicePort}.
 */
final class InboundGenerator {
  private InboundGenerator() {}

  static void generate(ProxyResources out) {
    ProxyModel proxy = out.proxy();
    Optional<MeshMtls> mtls = out.mtls();
    for (Inbound inbound : proxy.inbounds()) {
      Optional<String> checkedRoute = Optional.empty();
      String listenerName = EnvoyNames.inboundListener(inbound.address(), inbound.port());
      String cluster = EnvoyNames.localCluster(inbound.servicePort());
      String stats = EnvoyNames.statPrefix(listenerName);
      var routes =
          Routes.allTo(EnvoyNames.inboundRoute(inbound.service()), inbound.service(), cluster);
      // The TLS inspector is always there, so turning mTLS on or off changes only filter chains:
      // Envoy then updates the listener in place instead of replacing (and draining) it.
      Listener.Builder listener =
          Listener.newBuilder()
              .setName(listenerName)
              .setAddress(Protos.socket(inbound.address(), inbound.port()))
              .setTrafficDirection(TrafficDirection.INBOUND)
              // The inspector waits for a TLS record header (5 bytes). A plaintext client that
              // sends
              // less and waits, or a server-first protocol, would stall; after a second the
              // connection goes on as plaintext instead of being closed.
              .setListenerFiltersTimeout(Protos.seconds(1))
              .setContinueOnListenerFiltersTimeout(true)
              .addListenerFilters(
                  ListenerFilter.newBuilder()
                      .setName(EnvoyNames.TLS_INSPECTOR)
                      .setTypedConfig(Protos.pack(TlsInspector.getDefaultInstance())));
      // The plaintext chain is the same with mTLS off and in PERMISSIVE, so turning mTLS on only
      // adds a chain and Envoy keeps the open plaintext connections undisturbed.
      Filter plain =
          inbound.protocol().isHttp()
              ? HttpFilters.hcmInline(stats, routes)
              : HttpFilters.tcpProxy(stats, cluster);
      FilterChain plaintext =
          FilterChain.newBuilder()
              .setFilterChainMatch(FilterChainMatch.newBuilder().setTransportProtocol("raw_buffer"))
              .addFilters(plain)
              .build();
      if (mtls.isEmpty()) {
        listener.addFilterChains(plaintext);
      } else {
        // mutual TLS, and nobody allowed until a plugin of the inbound phase says who is
        RBAC nobody = RBAC.newBuilder().setAction(RBAC.Action.ALLOW).build();
        InboundEdits.TlsSettings settings = InboundEdits.TlsSettings.DEFAULT;
        MeshMtls.Mode mode = mtls.get().mode();
        FilterChain.Builder secure =
            FilterChain.newBuilder().setTransportSocket(Mtls.downstream(settings));
        if (inbound.protocol().isHttp()) {
          String routeName = EnvoyNames.inboundCheckedRoute(inbound.address(), inbound.port());
          out.route(Routes.withRbac(Routes.allTo(routeName, inbound.service(), cluster), nobody));
          checkedRoute = Optional.of(routeName);
          secure.addFilters(HttpFilters.hcmRdsWithRbac(stats, routeName));
        } else {
          secure
              .addFilters(HttpFilters.networkRbac(stats, nobody))
              .addFilters(HttpFilters.tcpProxy(stats, cluster));
        }
        // The TLS chain is the same in STRICT and PERMISSIVE, so switching modes only adds or
        // removes the plaintext chain and open mutual-TLS connections are left alone.
        secure.setFilterChainMatch(FilterChainMatch.newBuilder().setTransportProtocol("tls"));
        listener.addFilterChains(secure);
        if (mode == MeshMtls.Mode.PERMISSIVE) {
          listener.addFilterChains(
              plaintext); // plaintext callers carry no identity: permissions cannot apply
        }
      }
      out.listener(listener.build());
      Cluster.Builder local =
          Cluster.newBuilder()
              .setName(cluster)
              .setType(Cluster.DiscoveryType.STATIC)
              .setConnectTimeout(Protos.seconds(5))
              .setLoadAssignment(
                  ClusterLoadAssignment.newBuilder()
                      .setClusterName(cluster)
                      .addEndpoints(
                          LocalityLbEndpoints.newBuilder()
                              .addLbEndpoints(
                                  LbEndpoint.newBuilder()
                                      .setEndpoint(
                                          Endpoint.newBuilder()
                                              .setAddress(
                                                  Protos.socket(
                                                      inbound.serviceAddress(),
                                                      inbound.servicePort()))))));
      if (inbound.protocol().needsHttp2()) {
        local.putTypedExtensionProtocolOptions(
            EnvoyNames.HTTP_PROTOCOL_OPTIONS, Protos.http2Options());
      }
      out.cluster(local.build());
      out.inbound(
          new ProxyResources.InboundTarget(
              inbound, listenerName, checkedRoute, cluster, plaintext));
    }
  }
}
