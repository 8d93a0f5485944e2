package io.kodiak.xds.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.ManagedChannel;
import io.kodiak.model.core.Resource;
import io.kodiak.model.testing.TestResources;
import io.kodiak.store.memory.InMemoryResourceStore;
import io.kodiak.xds.server.NodeOnceClient.NodeOn;
import io.kodiak.xds.server.NodeOnceClient.Protocol;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A stream is the proxy its first request names: a client that sends its node only then (Envoy's
 * {@code set_node_on_first_message_only}), or only on its subscriptions and not on its ACKs, still
 * gets its config and every later change. A real gRPC server on loopback in front of the real xDS
 * server and snapshot sync.
 */
class NodeOnFirstRequestTest {
  private final InMemoryResourceStore store = new InMemoryResourceStore(Clock.systemUTC());
  private LoopbackAds ads;
  private XdsServer xds;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    store.create(TestResources.mesh("default"));
    store.create(dataplane("web-1", "127.0.0.1", 20001, "web", "backend"));
    store.create(dataplane("backend-1", "127.0.0.1", 20002, "backend", null));
    ads = new LoopbackAds(store, node -> Optional.empty());
    xds = ads.xds;
    channel = ads.channel;
  }

  @AfterEach
  void stop() throws Exception {
    ads.close();
  }

  @ParameterizedTest
  @CsvSource({
    "STATE_OF_THE_WORLD, FIRST_REQUEST",
    "STATE_OF_THE_WORLD, SUBSCRIPTIONS",
    "DELTA, FIRST_REQUEST",
    "DELTA, SUBSCRIPTIONS"
  })
  void aSecondEndpointReachesAClientThatOmitsItsNodeLater(Protocol protocol, NodeOn nodeOn) {
    try (NodeOnceClient client =
        NodeOnceClient.connect(
            channel, Node.newBuilder().setId("default.web-1").build(), protocol, nodeOn)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.endpointAddresses().contains("127.0.0.1:20002"));

      assertASecondBackendReaches(client);
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void aLaterRequestNamingAnotherNodeStaysWithTheFirst(Protocol protocol) {
    // web-1 reaches backend; backend-1 reaches nothing: a request naming backend-1 must not switch
    try (NodeOnceClient client =
        NodeOnceClient.connect(
            channel,
            Node.newBuilder().setId("default.web-1").build(),
            protocol,
            NodeOn.SUBSCRIPTIONS)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.endpointAddresses().contains("127.0.0.1:20002"));
      client.sendNodeOnNextAcks(Node.newBuilder().setId("default.backend-1").build());

      assertASecondBackendReaches(client);
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void aStoppingServerRefusesNewStreamsAndKeepsTheOpenOnes(Protocol protocol) {
    try (NodeOnceClient open =
        NodeOnceClient.connect(
            channel,
            Node.newBuilder().setId("default.web-1").build(),
            protocol,
            NodeOn.FIRST_REQUEST)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> open.endpointAddresses().contains("127.0.0.1:20002"));
      xds.stopAccepting();
      try (NodeOnceClient late =
          NodeOnceClient.connect(
              channel,
              Node.newBuilder().setId("default.backend-1").build(),
              protocol,
              NodeOn.FIRST_REQUEST)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !late.error().isEmpty());
        assertThat(late.error()).contains("UNAVAILABLE").contains("stopping");
      }
      assertThat(ads.connected.values())
          .containsExactly("default.web-1"); // the late one never reached the lifecycle
      store.create(dataplane("backend-2", "127.0.0.2", 20003, "backend", null));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> open.endpointAddresses().contains("127.0.0.2:20003"));
    }
  }

  /** A second backend instance is stored; the client must receive its endpoint, with no error. */
  private void assertASecondBackendReaches(NodeOnceClient client) {
    store.create(dataplane("backend-2", "127.0.0.2", 20003, "backend", null));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                client.endpointAddresses().contains("127.0.0.2:20003")
                    || !client.error().isEmpty());
    assertThat(client.error()).isEmpty();
    assertThat(client.endpointAddresses()).containsExactly("127.0.0.1:20002", "127.0.0.2:20003");
  }

  private static Resource dataplane(
      String name, String address, int port, String service, String calls) {
    String yaml =
        "type: Dataplane\nmesh: default\nname: "
            + name
            + "\nnetworking:\n  address: "
            + address
            + "\n"
            + "  inbound:\n    - port: "
            + port
            + "\n      tags: {kuma.io/service: "
            + service
            + ", kuma.io/protocol: http}\n"
            + (calls == null
                ? ""
                : "  outbound:\n    - port: 10001\n      tags: {kuma.io/service: " + calls + "}\n");
    return TestResources.decode(yaml);
  }
}
