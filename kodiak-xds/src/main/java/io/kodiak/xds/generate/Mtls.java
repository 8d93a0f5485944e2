package io.kodiak.xds.generate;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.Protos;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.proxy.ProxyIdentity;

/**
 * Mutual TLS pieces: the two SDS secrets (the proxy's identity, the mesh's trusted CAs) and the
 * TLS contexts of inbound listeners (client certificate required) and outbound clusters (the
 * server must prove the destination service's SPIFFE ID).
 */
final class Mtls {
  private Mtls() {}

  static Secret identitySecret(ProxyIdentity identity) {
    return Secret.newBuilder()
        .setName(EnvoyNames.IDENTITY_SECRET)
        .setTlsCertificate(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setInlineString(identity.certificatePem()))
            .setPrivateKey(DataSource.newBuilder().setInlineString(identity.keyPem())))
        .build();
  }

  static Secret caSecret(MeshMtls mtls) {
    return Secret.newBuilder()
        .setName(EnvoyNames.MESH_CA_SECRET)
        .setValidationContext(CertificateValidationContext.newBuilder()
            .setTrustedCa(DataSource.newBuilder().setInlineString(String.join("", mtls.trustedRootsPem()))))
        .build();
  }

  static TransportSocket downstream() {
    DownstreamTlsContext tls = DownstreamTlsContext.newBuilder()
        .setCommonTlsContext(CommonTlsContext.newBuilder()
            .addTlsCertificateSdsSecretConfigs(sds(EnvoyNames.IDENTITY_SECRET))
            .setValidationContextSdsSecretConfig(sds(EnvoyNames.MESH_CA_SECRET)))
        .setRequireClientCertificate(com.google.protobuf.BoolValue.of(true))
        .build();
    return TransportSocket.newBuilder().setName(EnvoyNames.TLS_TRANSPORT_SOCKET).setTypedConfig(Protos.pack(tls)).build();
  }

  static TransportSocket upstream(MeshMtls mtls, String service) {
    UpstreamTlsContext tls = UpstreamTlsContext.newBuilder()
        .setCommonTlsContext(CommonTlsContext.newBuilder()
            .addTlsCertificateSdsSecretConfigs(sds(EnvoyNames.IDENTITY_SECRET))
            .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(CertificateValidationContext.newBuilder()
                    .addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
                        .setSanType(SubjectAltNameMatcher.SanType.URI)
                        .setMatcher(StringMatcher.newBuilder().setExact(mtls.spiffeId(service)))))
                .setValidationContextSdsSecretConfig(sds(EnvoyNames.MESH_CA_SECRET))))
        .build();
    return TransportSocket.newBuilder().setName(EnvoyNames.TLS_TRANSPORT_SOCKET).setTypedConfig(Protos.pack(tls)).build();
  }

  private static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(Protos.ads()).build();
  }
}
