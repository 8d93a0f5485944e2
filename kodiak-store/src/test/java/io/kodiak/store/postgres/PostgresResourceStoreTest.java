package io.kodiak.store.postgres;

import io.kodiak.store.api.ResourceStore;
import io.kodiak.store.contract.ResourceStoreContract;
import io.kodiak.store.testing.PostgresServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract against a real PostgreSQL server, one fresh database per test. */
class PostgresResourceStoreTest extends ResourceStoreContract {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  static PostgresServer server;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  static PostgresOptions options(PostgresServer server, String database) {
    return new PostgresOptions(
        server.host(),
        server.port(),
        PostgresServer.USER,
        server.password(),
        database,
        4,
        Duration.ofSeconds(2),
        PostgresOptions.TlsMode.disable,
        "");
  }

  @Override
  protected ResourceStore openEmptyStore() {
    String database = "contract" + DATABASES.incrementAndGet();
    server.createDatabase(database);
    return new PostgresResourceStore(options(server, database), clock);
  }
}
