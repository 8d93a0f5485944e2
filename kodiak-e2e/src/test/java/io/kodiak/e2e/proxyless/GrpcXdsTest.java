package io.kodiak.e2e.proxyless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.e2e.support.Ports;
import io.kodiak.e2e.support.Running;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * grpc-java's own xDS client (proxyless, state-of-the-world ADS) resolves {@code xds:///greeter}
 * through our dp-server and follows endpoint changes: a second, independent xDS client that keeps
 * our server honest, in-process and fast.
 */
class GrpcXdsTest {
  @TempDir Path dir;
  private final Running running = new Running();

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  @Test
  void grpcXdsResolvesTargetsAndFollowsEndpoints() throws Exception {
    // grpc-xds would need certificate-provider plugins for TLS to the xDS server; this in-process
    // test talks plaintext to it (dpServer.tls.enabled: false), tokens stay on
    RunningControlPlane cp =
        running.add(
            RunningControlPlane.start(dir, Map.of("KODIAK_DP_SERVER_TLS_ENABLED", "false")));
    Server first = healthServer(Ports.free(), "first");
    Server second = healthServer(Ports.free(), "second");
    try {
      register(cp, "greeter-1", first.getPort());
      String clientDataplane =
          "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"grpc-client\",\"networking\":"
              + "{\"address\":\"127.0.0.1\",\"inbound\":[{\"port\":"
              + Ports.free()
              + ",\"tags\":{\"kuma.io/service\":"
              + "\"grpc-client\"}}],\"outbound\":[{\"port\":"
              + Ports.free()
              + ",\"tags\":{\"kuma.io/service\":\"greeter\"}}]}}";
      String bootstrap =
          "{\"xds_servers\":[{\"server_uri\":\"127.0.0.1:"
              + cp.controlPlane().dpServerPort()
              + "\","
              + "\"channel_creds\":[{\"type\":\"insecure\"}],\"server_features\":[\"xds_v3\"]}],"
              + "\"node\":{\"id\":\"default.grpc-client\",\"metadata\":{\"kodiak.io/proxy-kind\":\"grpc-proxyless\","
              + "\"dataplane.token\":"
              + quote(cp.dataplaneToken("default", "grpc-client"))
              + ","
              + "\"dataplane.resource\":"
              + quote(clientDataplane)
              + "}}}";
      System.setProperty("io.grpc.xds.bootstrapConfig", bootstrap);
      ManagedChannel channel =
          Grpc.newChannelBuilder("xds:///greeter", InsecureChannelCredentials.create()).build();
      try {
        var health = HealthGrpc.newBlockingStub(channel);
        await()
            .atMost(Duration.ofSeconds(20))
            .ignoreExceptions()
            .until(() -> check(health, "first"));

        // a second instance appears: grpc-xds sees it through EDS and uses it
        register(cp, "greeter-2", second.getPort());
        await().atMost(Duration.ofSeconds(20)).until(() -> check(health, "second"));

        // the first goes away: only the second is used
        assertThat(cp.delete("/meshes/default/dataplanes/greeter-1").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> !answersFrom(health, "first", 20));
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } finally {
      System.clearProperty("io.grpc.xds.bootstrapConfig");
      first.shutdownNow();
      second.shutdownNow();
    }
  }

  /** A real gRPC server whose health service reports one named service as SERVING. */
  private static Server healthServer(int port, String name) throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus(name, HealthCheckResponse.ServingStatus.SERVING);
    return Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
        .addService(health.getHealthService())
        .build()
        .start();
  }

  private static void register(RunningControlPlane cp, String name, int port) {
    String body =
        "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\""
            + name
            + "\",\"networking\":{\"address\":"
            + "\"127.0.0.1\",\"inbound\":[{\"port\":"
            + port
            + ",\"tags\":{\"kuma.io/service\":\"greeter\","
            + "\"kuma.io/protocol\":\"grpc\"}}]}}";
    assertThat(cp.put("/meshes/default/dataplanes/" + name, body).status()).isEqualTo(201);
  }

  /** Whether a request lands on the server that knows {@code name} (others answer NOT_FOUND). */
  private static boolean check(HealthGrpc.HealthBlockingStub health, String name) {
    return answersFrom(health, name, 20);
  }

  private static boolean answersFrom(HealthGrpc.HealthBlockingStub health, String name, int tries) {
    for (int i = 0; i < tries; i++) {
      try {
        HealthCheckResponse res =
            health
                .withDeadlineAfter(2, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(name).build());
        if (res.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
          return true;
        }
      } catch (StatusRuntimeException e) {
        // NOT_FOUND from the other instance, or not routable yet
      }
    }
    return false;
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
