package io.kodiak.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code kodiak-cp} processes the tests started, and which part of each log file the current
 * test wrote: a log counts from its size when the test began (for a process already running) or
 * when a process started appending to it during the test (a restarted one sharing its log counts
 * from the first start). {@link MeshInvariants} opens a window before each test, reads it after,
 * and then forgets the processes that are gone. Thread-safe.
 */
final class StartedControlPlanes {
  private static final List<ControlPlaneProcess> PROCESSES = new ArrayList<>();
  private static final Map<Path, Long> LOG_OFFSETS = new LinkedHashMap<>();

  private StartedControlPlanes() {}

  /** Called by {@link ControlPlaneProcess} once it answers; its log grew from {@code logOffset}. */
  static synchronized void started(ControlPlaneProcess cp, long logOffset) {
    PROCESSES.add(cp);
    LOG_OFFSETS.putIfAbsent(cp.log(), logOffset);
  }

  /** A test begins: the logs of the processes still running count from here. */
  static synchronized void testBegins() {
    LOG_OFFSETS.clear();
    for (ControlPlaneProcess cp : PROCESSES) {
      if (cp.isAlive()) {
        LOG_OFFSETS.putIfAbsent(cp.log(), size(cp.log()));
      }
    }
  }

  /** The processes still running, oldest first. */
  static synchronized List<ControlPlaneProcess> running() {
    return PROCESSES.stream().filter(ControlPlaneProcess::isAlive).toList();
  }

  /**
   * Each log the current test's control planes wrote to, and the offset the test's part starts at.
   */
  static synchronized Map<Path, Long> logsOfThisTest() {
    return Map.copyOf(LOG_OFFSETS);
  }

  /** The processes (running or not) that write {@code log}, for messages. */
  static synchronized List<ControlPlaneProcess> writersOf(Path log) {
    return PROCESSES.stream().filter(cp -> cp.log().equals(log)).toList();
  }

  /** A test ended: stopped and killed processes are forgotten. */
  static synchronized void testEnded() {
    PROCESSES.removeIf(cp -> !cp.isAlive());
    LOG_OFFSETS.clear();
  }

  private static long size(Path log) {
    try {
      return Files.exists(log) ? Files.size(log) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
