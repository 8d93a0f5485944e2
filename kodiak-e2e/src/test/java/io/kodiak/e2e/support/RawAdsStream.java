package io.kodiak.e2e.support;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An ADS client that is not an Envoy: it says whatever node and metadata it is told to, the way an
 * attacker who skips the bootstrap would. Waits for the first answer: a response or the status the
 * server closed the stream with.
 */
public final class RawAdsStream implements AutoCloseable {
  private final ManagedChannel channel;
  private final CompletableFuture<Object> first = new CompletableFuture<>();

  private RawAdsStream(ManagedChannel channel) {
    this.channel = channel;
  }

  /**
   * Opens a state-of-the-world stream to the dp-server (TLS, trusting {@code caCert}) and asks for
   * clusters.
   */
  public static RawAdsStream open(
      int dpPort, Path caCert, String nodeId, Map<String, String> metadata) throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", dpPort)
            .sslContext(GrpcSslContexts.forClient().trustManager(caCert.toFile()).build())
            .build();
    RawAdsStream stream = new RawAdsStream(channel);
    Struct.Builder meta = Struct.newBuilder();
    metadata.forEach((k, v) -> meta.putFields(k, Value.newBuilder().setStringValue(v).build()));
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse response) {
                    stream.first.complete(response);
                  }

                  @Override
                  public void onError(Throwable t) {
                    stream.first.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    stream.first.complete(Status.OK);
                  }
                });
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId(nodeId).setMetadata(meta))
            .setTypeUrl("type.googleapis.com/envoy.config.cluster.v3.Cluster")
            .build());
    return stream;
  }

  /**
   * The first thing the server said: a {@link DiscoveryResponse} or the {@link Status} it ended the
   * stream with.
   */
  public Object firstAnswer() throws Exception {
    return first.get(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
