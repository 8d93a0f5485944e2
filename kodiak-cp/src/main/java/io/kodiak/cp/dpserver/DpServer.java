package io.kodiak.cp.dpserver;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerPort;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.kodiak.cp.api.ApiError;
import io.kodiak.cp.api.Problems;
import io.kodiak.cp.config.CpConfig;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.cp.tls.ControlPlaneTls;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.xds.server.XdsServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dp-server on port 5678: {@code POST /bootstrap} and the ADS gRPC stream (state of the world
 * and delta) on one port. ADS streams live for hours and carry many thousands of messages, so they
 * get no request timeout and no total size limit, only a cap per message.
 */
public final class DpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DpServer.class);
  private static final int MAX_XDS_MESSAGE_BYTES = 16 * 1024 * 1024;
  private final Server server;
  private final XdsServer xds;

  /**
   * @param tls the control plane's certificate; empty serves plaintext (development only)
   */
  public DpServer(
      CpConfig.DpServer config,
      XdsServer xds,
      ResourceManager manager,
      DataplaneLifecycle lifecycle,
      Optional<ControlPlaneTls> tls) {
    this.xds = xds;
    BootstrapService bootstrap =
        new BootstrapService(
            manager,
            lifecycle,
            config.advertisedHost(),
            this::port,
            tls.map(ControlPlaneTls::caPem));
    GrpcService ads =
        GrpcService.builder()
            .addService(xds.adsService())
            .maxRequestMessageLength(MAX_XDS_MESSAGE_BYTES)
            .build();
    var builder = Server.builder();
    InetSocketAddress address = new InetSocketAddress(config.interfaceAddress(), config.port());
    if (tls.isPresent()) {
      builder.https(address).tls(tls.get().certFile().toFile(), tls.get().keyFile().toFile());
    } else {
      builder.http(address);
    }
    server =
        builder
            .requestTimeoutMillis(0)
            .maxRequestLength(0)
            .meterRegistry(new SimpleMeterRegistry())
            .gracefulShutdownTimeoutMillis(0, 1_000)
            .service(ads)
            .route()
            .post("/bootstrap")
            .requestTimeoutMillis(30_000)
            .maxRequestLength(1024 * 1024)
            .build(
                (ctx, req) ->
                    HttpResponse.of(
                        req.aggregate()
                            .thenApplyAsync(
                                agg -> {
                                  String host =
                                      hostOf(agg.headers().authority(), ctx.localAddress());
                                  try {
                                    return answer(bootstrap.bootstrap(agg.contentUtf8(), host));
                                  } catch (ValidationException e) {
                                    LOG.info("bootstrap refused: {}", e.getMessage());
                                    return Problems.render(Problems.fromValidation(e));
                                  } catch (RuntimeException e) {
                                    LOG.error("bootstrap failed: {}", e.toString(), e);
                                    return Problems.render(
                                        ApiError.of(500, "Internal Server Error", e.getMessage()));
                                  }
                                },
                                ctx.blockingTaskExecutor())))
            .build();
  }

  public void start() {
    server.start().join();
  }

  /**
   * The port bound. Not Armeria's activeLocalPort: that finds only ports bound to loopback or all
   * addresses, and an interface configured as one address of the host is neither.
   */
  public int port() {
    ServerPort port = server.activePort();
    if (port == null) {
      throw new IllegalStateException("the dp-server is not listening");
    }
    return port.localAddress().getPort();
  }

  /** Stops; proxies that reconnect while the server drains are refused, not taken on. */
  @Override
  public void close() {
    xds.stopAccepting();
    server.stop().join();
  }

  private static HttpResponse answer(BootstrapService.Outcome outcome) {
    if (outcome instanceof BootstrapService.Ok ok) {
      return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, ok.body().toString());
    } else if (outcome instanceof BootstrapService.Unknown unknown) {
      return Problems.render(ApiError.of(404, "Not Found", unknown.message()));
    } else if (outcome instanceof BootstrapService.Unauthenticated refused) {
      LOG.warn("bootstrap refused: {}", refused.message());
      return Problems.render(ApiError.of(401, "Unauthorized", refused.message()));
    }
    BootstrapService.Conflict conflict = (BootstrapService.Conflict) outcome;
    LOG.warn("bootstrap refused: {}", conflict.message());
    return Problems.render(ApiError.of(409, "Conflict", conflict.message()));
  }

  /** The host the agent used to reach us, which is where its Envoy should connect too. */
  private static String hostOf(String authority, InetSocketAddress local) {
    if (authority == null || authority.isEmpty()) {
      return local.getAddress().getHostAddress();
    }
    if (authority.startsWith("[")) {
      return authority.substring(1, authority.indexOf(']'));
    }
    int colon = authority.lastIndexOf(':');
    return colon < 0 ? authority : authority.substring(0, colon);
  }
}
