package io.kodiak.cp.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Drives the guard with this JVM's own heap: 64 MiB kept live above levels set between the live
 * heap without it and with it, then let go. Levels are set from what a full collection measures, so
 * the test does not depend on the heap size or collector. The guard's log lines are captured from
 * its logger.
 */
class HeapHeadroomTest {
  private static final int BALLAST = 64 << 20;
  private static final String WARNING = "writes are refused from";
  private static final String REFUSING = "heap: refusing creates and updates";
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Lines lines = new Lines();
  private final Logger logger = (Logger) LoggerFactory.getLogger(HeapHeadroom.class);
  private MemoryPoolMXBean pool;
  private double max;
  private long base;
  private HeapHeadroom headroom;
  private List<byte[]> ballast = new ArrayList<>();

  @BeforeEach
  void measure() {
    lines.start();
    logger.addAppender(lines);
    pool =
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
    max =
        pool.getUsage().getMax() > 0 ? pool.getUsage().getMax() : Runtime.getRuntime().maxMemory();
    base = pool.getCollectionUsage().getUsed();
  }

  @AfterEach
  void stop() {
    logger.detachAppender(lines);
    if (headroom != null) {
      headroom.close();
    }
  }

  @Test
  void aCollectionThatLeavesTooLittleRefusesWritesAndADeleteThatMakesRoomAcceptsThemAgain() {
    // The ballast is live before the guard watches, so its first measurement (the collection
    // below) goes from under the warn level straight past the refuse level.
    for (int i = 0; i < BALLAST >> 20; i++) {
      ballast.add(new byte[1 << 20]);
    }
    headroom = watch(BALLAST / 4, BALLAST / 2, BALLAST / 4);
    System.gc();
    await().atMost(Duration.ofSeconds(30)).until(() -> headroom.refusal().isPresent());
    assertThat(headroom.refusal().orElseThrow())
        .contains("42 resources stored")
        .contains("KODIAK_CP_MAX_HEAP");
    assertThat(registry.get("kodiak_writes_refused_total").counter().count()).isPositive();
    assertThat(headroomBytes()).isPositive().isLessThan(max - base - BALLAST / 2);
    assertWarnedOnceBeforeRefusing();

    ballast = null;
    headroom.released();
    await().atMost(Duration.ofSeconds(30)).until(() -> headroom.refusal().isEmpty());
    assertThat(lines.matching("heap: accepting writes again")).hasSize(1);
  }

  @Test
  void aHeapPastTheWarnLevelIsLoggedOnceWhileWritesAreStillTaken() {
    headroom = watch(BALLAST / 4, BALLAST * 3 / 4, BALLAST / 4);
    double before = headroomBytes();

    fill(BALLAST / 2);
    await().atMost(Duration.ofSeconds(30)).until(() -> !lines.matching(WARNING).isEmpty());
    assertThat(headroom.refusal()).isEmpty();
    assertThat(lines.matching(REFUSING)).isEmpty();
    assertThat(lines.matching(WARNING).get(0))
        .startsWith("WARN ")
        .contains("42 resources stored")
        .contains("KODIAK_CP_MAX_HEAP");
    double warned = headroomBytes();
    assertThat(warned).isLessThan(before - BALLAST / 4);

    fill(BALLAST / 2);
    await().atMost(Duration.ofSeconds(30)).until(() -> headroom.refusal().isPresent());
    assertThat(headroomBytes()).isLessThan(warned - BALLAST / 4);
    assertWarnedOnceBeforeRefusing();
  }

  /** Levels at the live heap measured before the test plus these many bytes. */
  private HeapHeadroom watch(long warn, long refuse, long resume) {
    return HeapHeadroom.watch(
            registry,
            () -> 42,
            new HeapHeadroom.Levels(
                (base + warn) / max, (base + refuse) / max, (base + resume) / max))
        .orElseThrow();
  }

  private void fill(int bytes) {
    for (int i = 0; i < bytes >> 20; i++) {
      ballast.add(new byte[1 << 20]);
    }
    System.gc();
  }

  private double headroomBytes() {
    return registry.get("kodiak_heap_headroom_bytes").gauge().value();
  }

  private void assertWarnedOnceBeforeRefusing() {
    List<String> all = lines.all();
    assertThat(lines.matching(WARNING)).as("%s", all).hasSize(1);
    assertThat(lines.matching(REFUSING)).as("%s", all).hasSize(1);
    int warning = indexOf(all, WARNING);
    int refusing = indexOf(all, REFUSING);
    assertThat(warning).as("the warning comes before the refusal: %s", all).isLessThan(refusing);
    assertThat(all.get(warning)).startsWith("WARN ").doesNotContain(REFUSING);
  }

  private static int indexOf(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i;
      }
    }
    return -1;
  }

  /** The guard's log lines, "LEVEL message", in order. Thread-safe. */
  private static final class Lines extends AppenderBase<ILoggingEvent> {
    private final List<String> lines = new ArrayList<>();

    @Override
    protected synchronized void append(ILoggingEvent event) {
      if (event.getLevel().isGreaterOrEqual(Level.INFO)) {
        lines.add(event.getLevel() + " " + event.getFormattedMessage());
      }
    }

    synchronized List<String> all() {
      return List.copyOf(lines);
    }

    synchronized List<String> matching(String text) {
      return lines.stream().filter(l -> l.contains(text)).toList();
    }
  }
}
