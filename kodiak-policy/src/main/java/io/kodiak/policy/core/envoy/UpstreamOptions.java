package io.kodiak.policy.core.envoy;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.kodiak.xds.envoy.EnvoyNames;
import java.util.function.Consumer;

/** A cluster's upstream HTTP protocol options, created (HTTP/1.1) when the cluster has none. */
public final class UpstreamOptions {
  private UpstreamOptions() {}

  public static void edit(Cluster.Builder cluster, Consumer<HttpProtocolOptions.Builder> edit) {
    var existing =
        cluster.getTypedExtensionProtocolOptionsMap().get(EnvoyNames.HTTP_PROTOCOL_OPTIONS);
    HttpProtocolOptions.Builder options =
        existing == null
            ? HttpProtocolOptions.newBuilder()
                .setExplicitHttpConfig(
                    HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                        .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance()))
            : Hcms.unpack(existing, HttpProtocolOptions.class).toBuilder();
    edit.accept(options);
    cluster.putTypedExtensionProtocolOptions(
        EnvoyNames.HTTP_PROTOCOL_OPTIONS, Any.pack(options.build()));
  }
}
