package io.kodiak.e2e.support;

import static org.awaitility.Awaitility.await;

import io.kodiak.cp.testing.RunningControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One test's view of the control planes: what they had done when it began (NACKs per stream, log
 * offsets, this JVM's ERROR count), and the check of each {@link Invariant} against that when it
 * ends. Used by one test thread at a time.
 */
final class TestWindow {
  /** Nothing generated or pushed for this long counts as quiet. */
  private static final Duration QUIET = Duration.ofMillis(500);

  /** A line of the control plane's log at level ERROR, or an uncaught exception the JVM printed. */
  private static final Pattern ERROR_LINE =
      Pattern.compile("^\\S+ ERROR .*|^Exception in thread .*");

  private static final int SHOWN_LINES = 10;

  private final Map<String, Map<String, Long>> rejectedBefore = new HashMap<>();
  private final Set<String> inProcessNames = new LinkedHashSet<>();
  private final long jvmErrors;

  private TestWindow(long jvmErrors) {
    this.jvmErrors = jvmErrors;
  }

  /** A test begins: remembers where every running control plane stands. */
  static TestWindow open() {
    StartedControlPlanes.testBegins();
    TestWindow window = new TestWindow(JvmErrorLog.mark());
    for (CheckedControlPlane cp : CheckedControlPlane.running()) {
      Map<String, Long> rejected = new HashMap<>();
      try {
        ProxySubscriptions.of(cp.url()).forEach(s -> rejected.put(s.key(), s.rejected()));
      } catch (IllegalStateException e) {
        // not answering now: the check at the end says so if it still does not
      }
      window.rejectedBefore.put(cp.name(), rejected);
    }
    RunningControlPlane.live()
        .forEach(cp -> window.inProcessNames.add(new CheckedControlPlane.InProcess(cp).name()));
    return window;
  }

  /** Every invariant not in {@code exempt} that the test broke, one message each (empty: none). */
  List<String> violations(Set<Invariant> exempt) {
    List<String> broken = new ArrayList<>();
    for (CheckedControlPlane cp : CheckedControlPlane.running()) {
      if (cp instanceof CheckedControlPlane.InProcess) {
        inProcessNames.add(cp.name());
      }
      try {
        if (!exempt.contains(Invariant.NO_IDLE_REGENERATION)) {
          idle(cp, broken);
        }
        if (!exempt.contains(Invariant.NO_NACKS)) {
          nacks(cp, broken);
        }
      } catch (IllegalStateException e) {
        broken.add(cp.name() + ": cannot be checked: " + e.getMessage());
      }
    }
    if (!exempt.contains(Invariant.NO_ERROR_LOG)) {
      StartedControlPlanes.logsOfThisTest()
          .forEach((log, offset) -> errorLines(log, offset, broken));
      List<String> inProcess = JvmErrorLog.since(jvmErrors);
      if (!inProcess.isEmpty()) {
        broken.add(
            Invariant.NO_ERROR_LOG
                + ": this JVM, where "
                + (inProcessNames.isEmpty()
                    ? "no control plane"
                    : String.join(" and ", inProcessNames))
                + " ran, logged ERROR:"
                + shown(inProcess));
      }
    }
    return broken;
  }

  private static void idle(CheckedControlPlane cp, List<String> broken) {
    long deadline = System.nanoTime() + cp.settleWithin().toNanos();
    CheckedControlPlane.Activity first = cp.activity();
    while (true) {
      CheckedControlPlane.Activity start = cp.activity();
      try {
        await()
            .during(QUIET)
            .atMost(QUIET.multipliedBy(2))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> cp.activity().equals(start));
        return;
      } catch (ConditionTimeoutException e) {
        if (System.nanoTime() > deadline) {
          CheckedControlPlane.Activity now = cp.activity();
          broken.add(
              Invariant.NO_IDLE_REGENERATION
                  + ": "
                  + cp.name()
                  + " never stayed quiet for "
                  + QUIET.toMillis()
                  + " ms in "
                  + cp.settleWithin().toSeconds()
                  + " s with nothing changing; over that time: "
                  + now.since(first)
                  + "; in its last "
                  + QUIET.toMillis()
                  + " ms: "
                  + now.since(start));
          return;
        }
      }
    }
  }

  private void nacks(CheckedControlPlane cp, List<String> broken) {
    Map<String, Long> before = rejectedBefore.getOrDefault(cp.name(), Map.of());
    for (ProxySubscriptions.Subscription s : ProxySubscriptions.of(cp.url())) {
      long during = s.rejected() - before.getOrDefault(s.key(), 0L);
      if (during > 0) {
        broken.add(
            Invariant.NO_NACKS
                + ": "
                + cp.name()
                + ": proxy "
                + s.proxy()
                + " rejected "
                + during
                + " config(s) during the test on stream "
                + s.id()
                + "; last NACK: "
                + s.lastNack());
      }
    }
  }

  private static void errorLines(Path log, long offset, List<String> broken) {
    List<String> errors =
        read(log, offset).lines().filter(line -> ERROR_LINE.matcher(line).matches()).toList();
    if (!errors.isEmpty()) {
      List<String> writers =
          StartedControlPlanes.writersOf(log).stream()
              .map(cp -> "kodiak-cp process " + cp.pid() + " at " + cp.url())
              .toList();
      broken.add(
          Invariant.NO_ERROR_LOG
              + ": "
              + String.join(" and ", writers)
              + " logged ERROR to "
              + log
              + " (from byte "
              + offset
              + "):"
              + shown(errors));
    }
  }

  private static String read(Path log, long offset) {
    try {
      byte[] all = Files.exists(log) ? Files.readAllBytes(log) : new byte[0];
      int from = (int) Math.min(offset, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String shown(List<String> lines) {
    StringBuilder out = new StringBuilder();
    lines.stream().limit(SHOWN_LINES).forEach(line -> out.append("\n    ").append(line));
    if (lines.size() > SHOWN_LINES) {
      out.append("\n    (").append(lines.size() - SHOWN_LINES).append(" more)");
    }
    return out.toString();
  }
}
