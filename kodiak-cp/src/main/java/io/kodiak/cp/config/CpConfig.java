package io.kodiak.cp.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.kodiak.model.validation.Durations;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.store.embedded.SyncMode;
import io.kodiak.store.postgres.PostgresOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The control plane's effective configuration; see {@code defaults.yaml} for every key's meaning.
 * Immutable.
 */
public record CpConfig(
    String dataDir,
    ApiServer apiServer,
    DpServer dpServer,
    Xds xds,
    Store store,
    Defaults defaults,
    Diagnostics diagnostics,
    KubernetesRuntime kubernetes) {
  /**
   * How proxies authenticate, {@code auto} resolved by the store; a service-account token needs the
   * Kubernetes store (its API server reviews the token).
   */
  public DpAuth proxyAuth() {
    DpAuth auth = dpServer.auth();
    boolean kubernetes = store.type() == StoreType.kubernetes;
    if (auth == DpAuth.auto) {
      return kubernetes ? DpAuth.serviceAccountToken : DpAuth.dpToken;
    }
    if (auth == DpAuth.serviceAccountToken && !kubernetes) {
      throw ValidationException.of(
          "dpServer.auth",
          "serviceAccountToken needs store.type: kubernetes (its API server reviews the tokens)");
    }
    return auth;
  }

  /**
   * Metrics ({@code /metrics}) and probes ({@code /ready}, {@code /healthy}); port 0 = any free
   * port.
   */
  public record Diagnostics(@JsonProperty("interface") String interfaceAddress, int port) {}

  public record DpServer(
      @JsonProperty("interface") String interfaceAddress,
      int port,
      Tls tls,
      String advertisedHost,
      DpAuth auth,
      String deregistrationGrace) {
    public Duration grace() {
      return durationOf(deregistrationGrace, "dpServer.deregistrationGrace");
    }
  }

  /** How proxies authenticate to the dp-server. */
  public enum DpAuth {
    /** The store's own kind: serviceAccountToken on Kubernetes, dpToken otherwise. */
    auto,
    dpToken,
    /** The Pod's service-account token, reviewed by the Kubernetes API server. */
    serviceAccountToken,
    none
  }

  public record Xds(String debounce) {
    public Duration debounceDuration() {
      return durationOf(debounce, "xds.debounce");
    }
  }

  static Duration durationOf(String text, String key) {
    try {
      return Durations.requireNonNegative(text);
    } catch (IllegalArgumentException e) {
      throw ValidationException.of(key, e.getMessage() + ", not \"" + text + "\"");
    }
  }

  public record ApiServer(Http http, Https https, boolean readsRequireToken, int maxRequestBytes) {}

  public record Https(boolean enabled, int port) {}

  public record Tls(boolean enabled, String certFile, String keyFile, String caFile) {}

  public record Http(@JsonProperty("interface") String interfaceAddress, int port) {}

  public record Store(
      StoreType type, Embedded embedded, Postgres postgres, Kubernetes kubernetes) {}

  /**
   * The shared database of replicas ({@code store.type: postgres}); Kuma's keys.
   *
   * @param password better given as {@code KODIAK_STORE_POSTGRES_PASSWORD} than in a file; never
   *     logged nor shown by {@code GET /config}
   */
  public record Postgres(
      String host,
      int port,
      String user,
      String password,
      String dbName,
      int maxOpenConnections,
      String connectionTimeout,
      PostgresTls tls) {
    public PostgresOptions options() {
      if (maxOpenConnections < 1) {
        throw ValidationException.of(
            "store.postgres.maxOpenConnections", "must be at least 1, not " + maxOpenConnections);
      }
      if (port < 1 || port > 65535) {
        throw ValidationException.of("store.postgres.port", "must be 1-65535, not " + port);
      }
      Duration timeout = durationOf(connectionTimeout, "store.postgres.connectionTimeout");
      if (timeout.isZero()) {
        throw ValidationException.of(
            "store.postgres.connectionTimeout", "must be more than 0s: a write would never wait");
      }
      return new PostgresOptions(
          host,
          port,
          user,
          password,
          dbName,
          maxOpenConnections,
          timeout,
          tls.mode(),
          tls.caPath());
    }
  }

  /** How the connection to PostgreSQL is protected; {@code caPath} for verifyCa and verifyFull. */
  public record PostgresTls(PostgresOptions.TlsMode mode, String caPath) {}

  /** What Kubernetes mode does besides storing: sidecar injection. */
  public record KubernetesRuntime(Injector injector) {}

  /**
   * The sidecar injected into meshed Pods.
   *
   * @param controlPlaneAddress the dp-server URL Pods reach; empty: the control plane's Service in
   *     the system namespace, {@code https://kodiak-control-plane.<namespace>.svc:5678}
   */
  public record Injector(String sidecarImage, String controlPlaneAddress) {}

  public record Embedded(SyncMode sync) {}

  /**
   * @param systemNamespace the control plane's own namespace: its resources, Secrets and settings
   * @param kubeconfig a kubeconfig file; empty: the usual discovery (KUBECONFIG, ~/.kube/config,
   *     then the Pod's service account)
   * @param leaderElection the timing of the Lease the replicas compete for
   */
  public record Kubernetes(
      String systemNamespace, String kubeconfig, LeaderElection leaderElection) {}

  /** Durations of the leader Lease; each attempt is retryPeriod apart. */
  public record LeaderElection(String leaseDuration, String renewDeadline, String retryPeriod) {
    public Duration lease() {
      return durationOf(leaseDuration, "store.kubernetes.leaderElection.leaseDuration");
    }

    public Duration renew() {
      return durationOf(renewDeadline, "store.kubernetes.leaderElection.renewDeadline");
    }

    public Duration retry() {
      return durationOf(retryPeriod, "store.kubernetes.leaderElection.retryPeriod");
    }

    /** A leader must give up before the Lease expires, and try more than once before that. */
    void check() {
      if (retry().isZero() || retry().compareTo(renew()) >= 0 || renew().compareTo(lease()) >= 0) {
        throw ValidationException.of(
            "store.kubernetes.leaderElection",
            "needs 0 < retryPeriod < renewDeadline < leaseDuration, not "
                + retryPeriod
                + " / "
                + renewDeadline
                + " / "
                + leaseDuration);
      }
    }
  }

  public record Defaults(boolean skipMeshCreation) {}

  /** Which store implementation backs the control plane. */
  public enum StoreType {
    embedded,
    memory,
    postgres,
    kubernetes
  }

  /** The data directory with {@code ~} expanded. */
  public Path dataPath() {
    // "~" and "~/..." only ("~user" is not expanded); the launcher sets user.home to $HOME
    String dir =
        dataDir.equals("~") || dataDir.startsWith("~/")
            ? System.getProperty("user.home") + dataDir.substring(1)
            : dataDir;
    return Path.of(dir).toAbsolutePath().normalize();
  }
}
