package io.kodiak.cp.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Drives the guard with this JVM's own heap: 64 MiB kept live above a level set between the live
 * heap without it and with it, then let go. Levels are set from what a full collection measures, so
 * the test does not depend on the heap size or collector.
 */
class HeapHeadroomTest {
  private static final int BALLAST = 64 << 20;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private HeapHeadroom headroom;
  private byte[][] ballast;

  @AfterEach
  void stop() {
    if (headroom != null) {
      headroom.close();
    }
  }

  @Test
  void aCollectionThatLeavesTooLittleRefusesWritesAndADeleteThatMakesRoomAcceptsThemAgain() {
    MemoryPoolMXBean pool =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(
                p ->
                    p.getType() == MemoryType.HEAP
                        && p.isCollectionUsageThresholdSupported()
                        && p.isUsageThresholdSupported())
            .filter(p -> p.getName().matches(".*(Old|Tenured).*"))
            .findFirst()
            .orElseThrow();
    System.gc();
    double max =
        pool.getUsage().getMax() > 0 ? pool.getUsage().getMax() : Runtime.getRuntime().maxMemory();
    long base = pool.getCollectionUsage().getUsed();
    HeapHeadroom.Levels levels =
        new HeapHeadroom.Levels(
            (base + BALLAST / 4) / max, (base + BALLAST / 2) / max, (base + BALLAST / 4) / max);
    headroom = HeapHeadroom.watch(registry, () -> 42, levels).orElseThrow();
    assertThat(headroom.refusal()).isEmpty();
    assertThat(registry.get("kodiak_heap_headroom_bytes").gauge().value()).isPositive();

    ballast = new byte[BALLAST >> 20][];
    for (int i = 0; i < ballast.length; i++) {
      ballast[i] = new byte[1 << 20];
    }
    System.gc();
    await().atMost(Duration.ofSeconds(30)).until(() -> headroom.refusal().isPresent());
    assertThat(headroom.refusal().orElseThrow())
        .contains("42 resources stored")
        .contains("KODIAK_CP_MAX_HEAP");
    assertThat(registry.get("kodiak_writes_refused_total").counter().count()).isPositive();

    ballast = null;
    headroom.released();
    await().atMost(Duration.ofSeconds(30)).until(() -> headroom.refusal().isEmpty());
  }
}
