package io.kodiak.xds.generate;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.Protos;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.proxy.ProxyIdentity;

/**
 * Mutual TLS pieces: the two SDS secrets (the proxy's identity, the mesh's trusted CAs) and the TLS
 * contexts of inbound listeners (client certificate required) and outbound clusters (the server
 * must prove the destination service's SPIFFE ID).
 */
final class Mtls {
  private Mtls() {}

  static Secret identitySecret(ProxyIdentity identity) {
    return Secret.newBuilder()
        .setName(EnvoyNames.IDENTITY_SECRET)
        .setTlsCertificate(
            TlsCertificate.newBuilder()
                .setCertificateChain(
                    DataSource.newBuilder().setInlineString(identity.certificatePem()))
                .setPrivateKey(DataSource.newBuilder().setInlineString(identity.keyPem())))
        .build();
  }

  static Secret caSecret(MeshMtls mtls) {
    return Secret.newBuilder()
        .setName(EnvoyNames.MESH_CA_SECRET)
        .setValidationContext(
            CertificateValidationContext.newBuilder()
                .setTrustedCa(
                    DataSource.newBuilder()
                        .setInlineString(String.join("", mtls.trustedRootsPem()))))
        .build();
  }

  static TransportSocket downstream(InboundEdits.TlsSettings settings) {
    CommonTlsContext.Builder common =
        CommonTlsContext.newBuilder()
            .addTlsCertificateSdsSecretConfigs(sds(EnvoyNames.IDENTITY_SECRET))
            .setValidationContextSdsSecretConfig(sds(EnvoyNames.MESH_CA_SECRET));
    if (settings.minVersion().isPresent()
        || settings.maxVersion().isPresent()
        || !settings.ciphers().isEmpty()) {
      TlsParameters.Builder params =
          TlsParameters.newBuilder().addAllCipherSuites(settings.ciphers());
      settings.minVersion().ifPresent(v -> params.setTlsMinimumProtocolVersion(version(v)));
      settings.maxVersion().ifPresent(v -> params.setTlsMaximumProtocolVersion(version(v)));
      common.setTlsParams(params);
    }
    DownstreamTlsContext tls =
        DownstreamTlsContext.newBuilder()
            .setCommonTlsContext(common)
            .setRequireClientCertificate(BoolValue.of(true))
            .build();
    return TransportSocket.newBuilder()
        .setName(EnvoyNames.TLS_TRANSPORT_SOCKET)
        .setTypedConfig(Protos.pack(tls))
        .build();
  }

  static TransportSocket upstream(MeshMtls mtls, String service) {
    UpstreamTlsContext tls =
        UpstreamTlsContext.newBuilder()
            .setCommonTlsContext(
                CommonTlsContext.newBuilder()
                    .addTlsCertificateSdsSecretConfigs(sds(EnvoyNames.IDENTITY_SECRET))
                    .setCombinedValidationContext(
                        CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                            .setDefaultValidationContext(
                                CertificateValidationContext.newBuilder()
                                    .addMatchTypedSubjectAltNames(
                                        SubjectAltNameMatcher.newBuilder()
                                            .setSanType(SubjectAltNameMatcher.SanType.URI)
                                            .setMatcher(
                                                StringMatcher.newBuilder()
                                                    .setExact(mtls.spiffeId(service)))))
                            .setValidationContextSdsSecretConfig(sds(EnvoyNames.MESH_CA_SECRET))))
            .build();
    return TransportSocket.newBuilder()
        .setName(EnvoyNames.TLS_TRANSPORT_SOCKET)
        .setTypedConfig(Protos.pack(tls))
        .build();
  }

  /** Kuma's names (TLS12, TLSAuto) to Envoy's enum. */
  private static TlsParameters.TlsProtocol version(String kuma) {
    return switch (kuma) {
      case "TLS10" -> TlsParameters.TlsProtocol.TLSv1_0;
      case "TLS11" -> TlsParameters.TlsProtocol.TLSv1_1;
      case "TLS12" -> TlsParameters.TlsProtocol.TLSv1_2;
      case "TLS13" -> TlsParameters.TlsProtocol.TLSv1_3;
      default -> TlsParameters.TlsProtocol.TLS_AUTO;
    };
  }

  private static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(Protos.ads()).build();
  }
}
