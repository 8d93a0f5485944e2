package io.kodiak.cp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerPort;
import io.kodiak.cp.auth.AdminToken;
import io.kodiak.cp.config.CpConfig;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.cp.tls.ControlPlaneTls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

/**
 * The REST API on port 5681 (Kuma's layout and shapes). No CORS headers are sent: browsers on other
 * origins cannot use an operator's credentials against it.
 */
public final class ApiServer implements AutoCloseable {
  private final Server server;

  public ApiServer(
      CpConfig config,
      ResourceManager manager,
      AdminToken token,
      Identity identity,
      JsonNode effectiveConfig,
      Inspection inspection,
      Optional<ControlPlaneTls> tls,
      Map<String, HttpService> webhooks) {
    Access access = new Access(token, config.apiServer().readsRequireToken());
    ApiRouter router =
        new ApiRouter(
            access,
            new ResourceEndpoints(manager, access),
            new DataplaneEndpoints(manager.store(), inspection, access),
            new PolicyEndpoints(manager.store(), inspection, access),
            new TokenEndpoints(inspection.tokens(), access),
            new SystemEndpoints(
                new SystemEndpoints.ServerIdentity(
                    identity.hostname(),
                    identity.version(),
                    identity.instanceId(),
                    identity.clusterId()),
                effectiveConfig),
            config.apiServer().maxRequestBytes(),
            config.store().type() == CpConfig.StoreType.kubernetes); // kubectl writes there
    var builder =
        Server.builder()
            .http(
                new InetSocketAddress(
                    config.apiServer().http().interfaceAddress(),
                    config.apiServer().http().port()));
    if (tls.isPresent() && config.apiServer().https().enabled()) {
      builder
          .https(
              new InetSocketAddress(
                  config.apiServer().http().interfaceAddress(), config.apiServer().https().port()))
          .tls(tls.get().certFile().toFile(), tls.get().keyFile().toFile());
    }
    webhooks.forEach(builder::service); // Kubernetes mode's, called by its API server over TLS
    server =
        builder
            .serviceUnder("/", router)
            .maxRequestLength(config.apiServer().maxRequestBytes())
            .errorHandler(new ProtocolErrors())
            .meterRegistry(new SimpleMeterRegistry())
            .requestTimeoutMillis(30_000)
            .gracefulShutdownTimeoutMillis(0, 1_000)
            .build();
  }

  public void start() {
    server.start().join();
  }

  /** The plaintext port actually bound (useful when configured as 0). */
  public int port() {
    return boundPort(SessionProtocol.HTTP);
  }

  /** The TLS port actually bound; fails when HTTPS is off. */
  public int httpsPort() {
    return boundPort(SessionProtocol.HTTPS);
  }

  /**
   * Not Armeria's activeLocalPort: that finds only ports bound to loopback or all addresses, and an
   * interface configured as one address of the host is neither.
   */
  private int boundPort(SessionProtocol protocol) {
    ServerPort port = server.activePort(protocol);
    if (port == null) {
      throw new IllegalStateException("the API server listens on no " + protocol + " port");
    }
    return port.localAddress().getPort();
  }

  @Override
  public void close() {
    server.stop().join();
  }

  /** The identity reported by {@code GET /}. */
  public record Identity(String hostname, String version, String instanceId, String clusterId) {}
}
