package io.kodiak.cp.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The singleton tasks of an elected replica start on election in order, stop on deposition, start
 * again on re-election, and never start once leadership is gone; closing stops them before it
 * leaves the election. The election is driven by hand.
 */
class ElectedLeadershipTest {
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final ElectedLeadership leadership =
      ElectedLeadership.join(Duration.ofMillis(50), candidate -> () -> events.add("left"));

  @AfterEach
  void close() {
    leadership.close();
  }

  private SingletonTask recorded(String name) {
    return () -> {
      events.add("start " + name);
      return () -> events.add("stop " + name);
    };
  }

  @Test
  void tasksRunOnlyWhileLeadingInTheirOrderAndStopInReverse() {
    leadership.whileLeader("a", recorded("a"));
    leadership.whileLeader("b", recorded("b"));
    assertThat(leadership.isLeader()).isFalse();
    assertThat(events).isEmpty(); // a follower runs nothing

    leadership.elected();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 2);
    assertThat(events).containsExactly("start a", "start b");
    assertThat(leadership.isLeader()).isTrue();

    leadership.deposed();
    assertThat(events).containsExactly("start a", "start b", "stop b", "stop a");
    assertThat(leadership.isLeader()).isFalse();

    leadership.elected(); // a deposed replica may lead again
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 6);
    assertThat(events.subList(4, 6)).containsExactly("start a", "start b");
  }

  @Test
  void aTaskHandedInWhileLeadingStartsAtOnce() {
    leadership.elected();
    leadership.whileLeader("late", recorded("late"));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("start late"));
  }

  @Test
  void aTaskStartingWhenLeadershipEndsIsStoppedAndTheNextNeverStarts() throws Exception {
    CountDownLatch inStart = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    leadership.whileLeader(
        "slow",
        () -> {
          events.add("start slow");
          inStart.countDown();
          waitFor(release);
          return () -> events.add("stop slow");
        });
    leadership.whileLeader("next", recorded("next"));
    leadership.elected();
    assertThat(inStart.await(10, TimeUnit.SECONDS)).isTrue();

    leadership.deposed(); // while "slow" is still starting: it may finish its write
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("stop slow"));
    leadership.close(); // waits for the worker: had "next" been queued to run, it has run by now
    assertThat(events).containsExactly("start slow", "stop slow", "left");
  }

  @Test
  void aFailedTaskIsRetriedWhileLeading() {
    AtomicInteger attempts = new AtomicInteger();
    leadership.whileLeader(
        "flaky",
        () -> {
          if (attempts.incrementAndGet() < 3) {
            throw new IllegalStateException("API server unavailable");
          }
          return SingletonTask.Stop.NOTHING;
        });
    leadership.elected();
    await().atMost(Duration.ofSeconds(10)).until(() -> attempts.get() == 3);
  }

  @Test
  void closingStopsTheTasksBeforeLeavingTheElectionAndEndsLeadership() {
    leadership.whileLeader("a", recorded("a"));
    leadership.elected();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("start a"));

    leadership.close();
    assertThat(events).containsExactly("start a", "stop a", "left");
    leadership.elected(); // a late election result after close starts nothing
    assertThat(leadership.isLeader()).isFalse();
  }

  @Test
  void alwaysLeaderRunsEachTaskOnTheCallingThreadAndStopsThemAtClose() {
    Leadership always = Leadership.always();
    always.whileLeader("a", recorded("a"));
    assertThat(events).containsExactly("start a"); // before whileLeader returned
    always.whileLeader("b", recorded("b"));
    assertThat(always.isLeader()).isTrue();
    always.close();
    assertThat(events).containsExactly("start a", "start b", "stop b", "stop a");
  }

  private static void waitFor(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
