package io.kodiak.bench;

import io.kodiak.ca.CertificateAuthority;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

/**
 * B10: workload certificates signed per second, on one thread, with a SPIFFE ID and two tag URIs
 * and EC P-256 keys, by a CA with an RSA-2048 key (Kodiak's builtin CA) and by one with an EC P-256
 * key (a provided CA can be either).
 */
public final class CertificateBench {
  private CertificateBench() {}

  public static void main(String[] args) {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    for (CertificateAuthority.KeyType caKey : CertificateAuthority.KeyType.values()) {
      run(
          count,
          CertificateAuthority.generate("bench", caKey, Duration.ofDays(3650), Instant.now()),
          caKey);
    }
  }

  private static void run(int count, CertificateAuthority ca, CertificateAuthority.KeyType caKey) {
    List<String> tags = List.of("kuma://kuma.io/service/web", "kuma://version/v1");
    for (int i = 0; i < 2_000; i++) {
      ca.issue("spiffe://bench/web", tags, Duration.ofHours(24), Instant.now()); // warm-up
    }
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      ca.issue("spiffe://bench/web", tags, Duration.ofHours(24), Instant.now());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "B10 certificates  %.0f workload certificates/s on one thread (%d issued in %.2f s; "
            + "EC P-256 keys signed by a %s CA)%n",
        count / seconds, count, seconds, caKey);
    // the same CA from every core at once (a CA is immutable and shared by the sync's callers)
    int threads = Runtime.getRuntime().availableProcessors();
    start = System.nanoTime();
    IntStream.range(0, count)
        .parallel()
        .forEach(i -> ca.issue("spiffe://bench/web", tags, Duration.ofHours(24), Instant.now()));
    seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "B10 certificates  %.0f workload certificates/s on %d threads (%s CA)%n",
        count / seconds, threads, caKey);
  }
}
