package io.kodiak.policy.meshaccesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.policy.PolicyModules;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.xds.generate.ProxyConfig;
import io.kodiak.xds.generate.ProxyConfigGenerator;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyIdentity;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * %KUMA_SOURCE_SERVICE% on an inbound (issue 11, item 13): on the mutual-TLS chain the caller's
 * service comes from its certificate's SPIFFE ID when Envoy writes the line; on the plaintext chain
 * (mTLS off or PERMISSIVE) the caller proved nothing, and the line says {@code unknown}, as Kuma's
 * does. The real Envoy renders it in ObservabilityTest.
 */
class InboundSourceServiceTest {
  private static final Resource BACKEND =
      ResourceCodec.decode(
          Documents.parse(
              """
      type: Dataplane
      mesh: default
      name: backend-1
      networking:
        address: 10.0.0.2
        inbound:
          - {port: 20001, servicePort: 8080, tags: {kuma.io/service: backend, kuma.io/protocol: http}}
          - {port: 25432, servicePort: 5432, tags: {kuma.io/service: db, kuma.io/protocol: tcp}}
      """));
  private static final Resource LOG =
      ResourceCodec.decode(
          Documents.parse(
              """
      type: MeshAccessLog
      mesh: default
      name: inbound
      spec:
        targetRef: {kind: Mesh}
        from:
          - targetRef: {kind: Mesh}
            default:
              backends:
                - type: File
                  file: {path: /tmp/in.log, format: {type: Plain, plain: "%KUMA_SOURCE_SERVICE%->%KUMA_DESTINATION_SERVICE%"}}
      """));

  @Test
  void theMutualTlsChainNamesTheCallerFromItsCertificateAndThePlaintextChainSaysUnknown() {
    List<String> lines = lines(Optional.of(MeshMtls.Mode.PERMISSIVE));
    assertThat(lines)
        .containsExactlyInAnyOrder(
            LogFormats.PEER_SERVICE + "->backend\n", "unknown->backend\n",
            LogFormats.PEER_SERVICE + "->db\n", "unknown->db\n");
  }

  @Test
  void withoutMutualTlsTheCallerIsUnknown() {
    assertThat(lines(Optional.empty()))
        .containsExactlyInAnyOrder("unknown->backend\n", "unknown->db\n");
  }

  @Test
  void thePeerServiceIsTheSpiffePathOfTheFirstUriSan() {
    assertThat(LogFormats.PEER_SERVICE)
        .isEqualTo(
            "%CEL(re.extract(connection.uri_san_peer_certificate, '^spiffe://[^/]+/(.+)$', '\\\\1'))%");
  }

  /** The inbound access-log lines of every filter chain of backend-1. */
  private static List<String> lines(Optional<MeshMtls.Mode> mode) {
    MeshSnapshot mesh =
        MeshSnapshot.of("default", List.of(ProxyModels.fromDataplane(BACKEND)), Set.of())
            .withPolicies(
                mode.map(m -> new MeshMtls("default", m, List.of("ca"))),
                Map.of("MeshAccessLog", List.of(LOG)));
    ProxyConfig config =
        new ProxyConfigGenerator(PolicyModules.plugins())
            .generate(
                mesh,
                mesh.proxies().get("backend-1"),
                ProxyKind.ENVOY,
                Optional.of(new ProxyIdentity("cert", "key")));
    List<String> out = new ArrayList<>();
    for (Listener listener : config.listeners()) {
      if (listener.getTrafficDirection()
          != io.envoyproxy.envoy.config.core.v3.TrafficDirection.INBOUND) {
        continue;
      }
      for (FilterChain chain : listener.getFilterChainsList()) {
        Hcms.editHcm(
            chain,
            hcm -> {
              hcm.getAccessLogList().forEach(log -> out.add(line(log)));
              return hcm;
            });
        Hcms.editTcpProxy(
            chain,
            tcp -> {
              tcp.getAccessLogList().forEach(log -> out.add(line(log)));
              return tcp;
            });
      }
    }
    return out;
  }

  private static String line(io.envoyproxy.envoy.config.accesslog.v3.AccessLog log) {
    return Hcms.unpack(log.getTypedConfig(), FileAccessLog.class)
        .getLogFormat()
        .getTextFormatSource()
        .getInlineString();
  }
}
