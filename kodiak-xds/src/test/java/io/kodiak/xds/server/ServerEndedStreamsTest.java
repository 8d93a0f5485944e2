package io.kodiak.xds.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.ManagedChannel;
import io.kodiak.model.testing.TestResources;
import io.kodiak.store.memory.InMemoryResourceStore;
import io.kodiak.xds.server.NodeOnceClient.NodeOn;
import io.kodiak.xds.server.NodeOnceClient.Protocol;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server ends streams itself: a refused proxy sees PERMISSION_DENIED with the reason, so does
 * one whose stream the server closes later, the close reaches the stream events, and neither leaves
 * anything behind however many times it happens. Real gRPC on loopback, real xDS server.
 */
class ServerEndedStreamsTest {
  private final InMemoryResourceStore store = new InMemoryResourceStore(Clock.systemUTC());
  private LoopbackAds ads;
  private Map<Long, String> connected;
  private XdsServer xds;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    store.create(TestResources.mesh("default"));
    store.create(
        TestResources.decode(
            "type: Dataplane\nmesh: default\nname: web-1\nnetworking:\n  address: 127.0.0.1\n"
                + "  inbound:\n    - port: 20001\n      tags: {kuma.io/service: web}\n"));
    // every proxy is admitted but intruder
    ads =
        new LoopbackAds(
            store,
            node ->
                node.name().equals("intruder")
                    ? Optional.of("no token for intruder")
                    : Optional.empty());
    connected = ads.connected;
    xds = ads.xds;
    channel = ads.channel;
  }

  @AfterEach
  void stop() throws Exception {
    ads.close();
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void aRefusedProxySeesWhyAndLeavesNothingBehind(Protocol protocol) {
    for (int i = 0; i < 20; i++) {
      try (NodeOnceClient intruder =
          NodeOnceClient.connect(
              channel,
              Node.newBuilder().setId("default.intruder").build(),
              protocol,
              NodeOn.FIRST_REQUEST)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !intruder.error().isEmpty());
        assertThat(intruder.error())
            .contains("PERMISSION_DENIED")
            .contains("no token for intruder");
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> xds.openStreams() == 0);
    assertThat(connected).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void aStreamTheServerEndsIsClosedWithItsReasonAndForgotten(Protocol protocol) {
    try (NodeOnceClient web =
        NodeOnceClient.connect(
            channel,
            Node.newBuilder().setId("default.web-1").build(),
            protocol,
            NodeOn.FIRST_REQUEST)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> connected.containsValue("default.web-1"));
      long streamId = connected.keySet().iterator().next();
      assertThat(xds.closeStream(streamId, "the dataplane token was revoked")).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> !web.error().isEmpty());
      assertThat(web.error())
          .contains("PERMISSION_DENIED")
          .contains("the dataplane token was revoked");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> connected.isEmpty() && xds.openStreams() == 0);
      assertThat(xds.closeStream(streamId, "again")).isFalse();
    }
  }
}
