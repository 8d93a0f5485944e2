package io.kodiak.xds.server;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.sync.SnapshotSync;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The real xDS server and snapshot sync behind a real gRPC server on loopback, for raw ADS clients.
 * Its stream events do what the control plane's lifecycle does, minus the store: a named stream's
 * proxy is served, unless {@code refusal} gives a reason to refuse it.
 */
final class LoopbackAds implements AutoCloseable {
  /** Node ids of the connected proxies, by stream id. */
  final Map<Long, String> connected = new ConcurrentHashMap<>();

  final XdsServer xds;
  final SnapshotSync sync;
  final ManagedChannel channel;
  private final Server server;
  private final Function<NodeInfo, Optional<String>> refusal;

  LoopbackAds(ResourceStore store, Function<NodeInfo, Optional<String>> refusal)
      throws IOException {
    this.refusal = refusal;
    xds = new XdsServer(new Events());
    sync = new SnapshotSync(store, xds, Duration.ofMillis(10));
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(xds.adsService())
            .build()
            .start();
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
            .build();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    sync.close();
  }

  private final class Events implements StreamEvents {
    @Override
    public void onNodeConnected(long streamId, NodeInfo node) throws StreamRejectedException {
      Optional<String> refused = refusal.apply(node);
      if (refused.isPresent()) {
        throw new StreamRejectedException(refused.get());
      }
      connected.put(streamId, node.id());
      sync.proxyConnected(node.mesh(), node.id(), ProxyKind.ENVOY);
    }

    @Override
    public void onAckOrNack(long streamId, String typeUrl, String nonce, String error) {}

    @Override
    public void onResponse(
        long streamId, String typeUrl, String version, String nonce, int resources) {}

    @Override
    public void onStreamClosed(long streamId) {
      String node = connected.remove(streamId);
      if (node != null) {
        sync.proxyDisconnected(node);
      }
    }
  }
}
