package io.kodiak.bench;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.store.embedded.EmbeddedResourceStore;
import io.kodiak.store.embedded.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Measures the embedded store: small writes per second (each one durable before it returns) in both
 * sync modes, and the time to list 10,000 resources. Prints one line per figure.
 */
public final class StoreBench {
  private StoreBench() {}

  public static void main(String[] args) throws Exception {
    int writes = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    for (SyncMode mode : SyncMode.values()) {
      Path dir = Files.createTempDirectory("kodiak-store-bench");
      try (ResourceStore store =
          new EmbeddedResourceStore(dir.resolve("store.db"), mode, Clock.systemUTC())) {
        store.create(ResourceCodec.decode(Documents.parse("type: Mesh\nname: bench\n")));
        warmUp(store);
        long start = System.nanoTime();
        for (int i = 0; i < writes; i++) {
          store.create(timeout("w-" + i));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "store.writes  sync=%-6s %,8d creates in %.2f s = %,.0f writes/s%n",
            mode, writes, seconds, writes / seconds);
        if (mode == SyncMode.FULL) {
          for (int i = writes; i < 10_000; i++) {
            store.create(timeout("w-" + i));
          }
          long[] samples = new long[21];
          for (int run = 0; run < samples.length; run++) {
            long t = System.nanoTime();
            int total =
                store
                    .list(
                        ResourceCatalog.MESH_TIMEOUT,
                        new ListQuery(Optional.of("bench"), "w-", Map.of(), 0, Integer.MAX_VALUE))
                    .items()
                    .size();
            samples[run] = System.nanoTime() - t;
            if (total != 10_000) {
              throw new IllegalStateException("listed " + total);
            }
          }
          Arrays.sort(samples);
          System.out.printf(
              "store.list    10,000 resources: p50 %.2f ms, max %.2f ms (21 runs)%n",
              samples[10] / 1e6, samples[20] / 1e6);
        }
      } finally {
        try (var files = Files.list(dir)) {
          for (Path p : files.toList()) {
            Files.deleteIfExists(p);
          }
        }
        Files.deleteIfExists(dir);
      }
    }
  }

  private static void warmUp(ResourceStore store) {
    for (int i = 0; i < 500; i++) {
      store.create(timeout("warm-" + i));
    }
  }

  private static Resource timeout(String name) {
    return ResourceCodec.decode(
        Documents.parse(
            "{\"type\":\"MeshTimeout\",\"mesh\":\"bench\",\"name\":\""
                + name
                + "\",\"spec\":{\"to\":[{\"targetRef\":{\"kind\":\"Mesh\"},\"default\":{\"idleTimeout\":\"10s\"}}]}}"));
  }
}
