package io.kodiak.store.postgres;

import java.time.Duration;

/**
 * Where the PostgreSQL store connects and how. {@link #toString} never shows the password.
 *
 * @param maxConnections the pool's size (writes and reads on a miss); one more connection listens
 * @param connectionTimeout how long a write waits for a connection before it is refused (503)
 * @param caFile the CA that signs the server's certificate, for {@link TlsMode#verifyCa} and {@link
 *     TlsMode#verifyFull}; empty: the system's
 */
public record PostgresOptions(
    String host,
    int port,
    String user,
    String password,
    String database,
    int maxConnections,
    Duration connectionTimeout,
    TlsMode tls,
    String caFile) {

  /** Kuma's names for libpq's sslmode values. */
  public enum TlsMode {
    disable("disable"),
    verifyNone("require"),
    verifyCa("verify-ca"),
    verifyFull("verify-full");

    private final String sslmode;

    TlsMode(String sslmode) {
      this.sslmode = sslmode;
    }

    String sslmode() {
      return sslmode;
    }
  }

  /** The JDBC URL, without credentials. */
  String jdbcUrl() {
    // each connection says who opened it (ApplicationName): pg_stat_activity tells them apart
    StringBuilder url =
        new StringBuilder("jdbc:postgresql://")
            .append(host.contains(":") ? "[" + host + "]" : host)
            .append(':')
            .append(port)
            .append('/')
            .append(database)
            .append("?tcpKeepAlive=true&sslmode=")
            .append(tls.sslmode());
    if (!caFile.isEmpty()) {
      url.append("&sslrootcert=").append(caFile);
    }
    return url.toString();
  }

  /** What an operator needs to find the database in a log line. */
  String where() {
    return user + "@" + host + ":" + port + "/" + database;
  }

  @Override
  public String toString() {
    return "PostgresOptions[" + where() + ", tls " + tls + ", pool " + maxConnections + "]";
  }
}
