package io.kodiak.cp.insights;

import java.util.Locale;

/** The xDS types Kuma's insights count separately, by their short names. */
enum XdsType {
  CDS("type.googleapis.com/envoy.config.cluster.v3.Cluster"),
  EDS("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"),
  LDS("type.googleapis.com/envoy.config.listener.v3.Listener"),
  RDS("type.googleapis.com/envoy.config.route.v3.RouteConfiguration"),
  SDS("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret");

  private final String typeUrl;

  XdsType(String typeUrl) {
    this.typeUrl = typeUrl;
  }

  static XdsType of(String typeUrl) {
    for (XdsType type : values()) {
      if (type.typeUrl.equals(typeUrl)) {
        return type;
      }
    }
    return null;
  }

  String shortName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
