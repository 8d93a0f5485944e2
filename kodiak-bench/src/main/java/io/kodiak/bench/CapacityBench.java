package io.kodiak.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills a running control plane with one kind of resource over REST (4 writers) until it refuses
 * writes (507/503), falls off a cliff (a window of writes under a tenth of the best rate) or
 * reaches the cap; prints one line per window (count, writes/s, seconds spent in full GCs in that
 * window, heap headroom) and one {@code capacity.<kind>} summary line. Usage: CapacityBench API_URL
 * METRICS_URL TOKEN KIND(dataplane|meshtimeout|secret) MAX.
 */
public final class CapacityBench {
  private static final int WRITERS = 4;
  private static final int WINDOW = 2_000;
  private static final Pattern MAJOR_GC =
      Pattern.compile("(?m)^jvm_gc_pause_seconds_sum\\{action=\"end of major GC\"[^}]*} (\\S+)$");
  private static final Pattern HEADROOM =
      Pattern.compile("(?m)^kodiak_heap_headroom_bytes(?:\\{[^}]*})? (\\S+)$");

  private CapacityBench() {}

  public static void main(String[] args) throws Exception {
    String api = args[0];
    String metrics = args[1];
    String token = args[2];
    String kind = args[3];
    int max = Integer.parseInt(args[4]);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    send(
        http,
        token,
        api + "/meshes/cap",
        "{\"type\":\"Mesh\",\"name\":\"cap\",\"skipCreatingInitialPolicies\":[\"*\"]}");
    AtomicInteger next = new AtomicInteger();
    AtomicReference<String> refusal = new AtomicReference<>();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    double best = 0;
    double gcBefore = 0;
    double last = 0;
    int stored = 0;
    String end = "reached the cap of " + max;
    try {
      while (stored < max) {
        long start = System.nanoTime();
        int windowEnd = Math.min(stored + WINDOW, max);
        Future<?>[] writers = new Future<?>[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
          writers[w] =
              pool.submit(
                  () -> {
                    for (int i = next.getAndIncrement();
                        i < windowEnd && refusal.get() == null;
                        i = next.getAndIncrement()) {
                      HttpResponse<String> res =
                          send(http, token, api + path(kind, i), body(kind, i));
                      if (res.statusCode() != 201) {
                        refusal.compareAndSet(null, res.statusCode() + " " + res.body());
                      }
                    }
                    return null;
                  });
        }
        for (Future<?> f : writers) {
          f.get();
        }
        next.set(windowEnd);
        double rate = (windowEnd - stored) / ((System.nanoTime() - start) / 1e9);
        best = Math.max(best, rate);
        last = rate;
        String scrape =
            http.send(
                    HttpRequest.newBuilder(URI.create(metrics)).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        double gc = sum(MAJOR_GC, scrape);
        System.out.printf(
            "  %-11s %,8d stored  %,7.0f writes/s  full GC %5.1f s of %5.1f s  headroom %s%n",
            kind,
            windowEnd,
            rate,
            gc - gcBefore,
            (windowEnd - stored + 0.0) / rate,
            find(HEADROOM, scrape, 1.0 / (1 << 20), " MiB"));
        gcBefore = gc;
        stored = windowEnd;
        if (refusal.get() != null) {
          end = "writes refused: " + refusal.get();
          break;
        }
        if (stored > 5 * WINDOW && rate < best / 10) {
          end = "cliff: a window ran at under a tenth of the best rate";
          break;
        }
      }
    } finally {
      pool.shutdownNow();
    }
    int read =
        http.send(
                HttpRequest.newBuilder(URI.create(api + path(kind, 0)))
                    .header("Authorization", "Bearer " + token)
                    .build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode();
    System.out.printf(
        "capacity.%-11s ~%,d stored; best %,.0f writes/s, last window %,.0f writes/s; %s; a read then: %d%n",
        kind, stored, best, last, end.length() > 300 ? end.substring(0, 300) : end, read);
  }

  private static double sum(Pattern pattern, String scrape) {
    double total = 0;
    for (Matcher m = pattern.matcher(scrape); m.find(); ) {
      total += Double.parseDouble(m.group(1));
    }
    return total;
  }

  private static String find(Pattern pattern, String scrape, double scale, String unit) {
    Matcher m = pattern.matcher(scrape);
    return m.find() ? String.format("%.0f%s", Double.parseDouble(m.group(1)) * scale, unit) : "-";
  }

  private static String path(String kind, int i) {
    return switch (kind) {
      case "dataplane" -> "/meshes/cap/dataplanes/dp-" + i;
      case "meshtimeout" -> "/meshes/cap/meshtimeouts/t-" + i;
      case "secret" -> "/meshes/cap/secrets/s-" + i;
      default ->
          throw new IllegalArgumentException("kind: dataplane, meshtimeout or secret, not " + kind);
    };
  }

  /** Documents of a realistic size: a one-inbound sidecar, a one-rule timeout, a 1 KiB secret. */
  private static String body(String kind, int i) {
    return switch (kind) {
      case "dataplane" ->
          "{\"type\":\"Dataplane\",\"mesh\":\"cap\",\"name\":\"dp-"
              + i
              + "\",\"networking\":{\"address\":\"10."
              + (i >> 16 & 255)
              + "."
              + (i >> 8 & 255)
              + "."
              + (i & 255)
              + "\",\"inbound\":[{\"port\":20001,\"servicePort\":8080,"
              + "\"tags\":{\"kuma.io/service\":\"svc-"
              + i % 500
              + "\",\"kuma.io/protocol\":\"http\",\"version\":\"v1\"}}]}}";
      case "meshtimeout" ->
          "{\"type\":\"MeshTimeout\",\"mesh\":\"cap\",\"name\":\"t-"
              + i
              + "\",\"spec\":{\"targetRef\":"
              + "{\"kind\":\"MeshService\",\"name\":\"svc-"
              + i
              + "\"},\"to\":[{\"targetRef\":{\"kind\":\"Mesh\"},\"default\":"
              + "{\"idleTimeout\":\""
              + (i % 59 + 1)
              + "s\",\"http\":{\"requestTimeout\":\"5s\"}}}]}}";
      case "secret" ->
          "{\"type\":\"Secret\",\"mesh\":\"cap\",\"name\":\"s-"
              + i
              + "\",\"data\":\""
              + Base64.getEncoder()
                  .encodeToString(("secret " + i + " ").repeat(1024 / 12).getBytes())
              + "\"}";
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static HttpResponse<String> send(HttpClient http, String token, String url, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
