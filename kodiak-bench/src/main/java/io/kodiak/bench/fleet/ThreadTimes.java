package io.kodiak.bench.fleet;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a process's CPU went, by group of threads, from Linux's per-thread scheduler statistics
 * ({@code /proc/PID/task/TID/schedstat}: nanoseconds on a core, nanoseconds runnable but waiting
 * for one). On two cores shared by the control plane and the simulator, a phase's figure only means
 * something beside these: how much was the JIT, and how long the sync thread waited for a core.
 * Threads that ended between two snapshots are lost (short-lived ones do little).
 */
final class ThreadTimes {
  /** Nanoseconds on a core and waiting for one, per group. */
  private final Map<String, long[]> byGroup;

  private ThreadTimes(Map<String, long[]> byGroup) {
    this.byGroup = byGroup;
  }

  /** The process's threads now; empty where /proc cannot be read (not Linux). */
  static ThreadTimes of(long pid) {
    Map<String, long[]> groups = new TreeMap<>();
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks) {
        try {
          String name = Files.readString(task.resolve("comm")).strip();
          String[] stat = Files.readString(task.resolve("schedstat")).strip().split(" ");
          long[] sum = groups.computeIfAbsent(group(name), g -> new long[2]);
          sum[0] += Long.parseLong(stat[0]);
          sum[1] += Long.parseLong(stat[1]);
        } catch (IOException | RuntimeException e) {
          // the thread ended while we read it
        }
      }
    } catch (IOException e) {
      // no /proc: nothing to say
    }
    return new ThreadTimes(groups);
  }

  /** Thread names as the kernel keeps them (15 characters), grouped by what they do. */
  private static String group(String name) {
    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
      return "jit";
    }
    if (name.startsWith("VM Thread") || name.startsWith("GC ") || name.contains("GC Thread")) {
      return "gc+vm";
    }
    if (name.startsWith("armeria") || name.startsWith("grpc")) {
      return "grpc";
    }
    if (name.startsWith("xds-")) {
      return name;
    }
    return "other";
  }

  /** What happened between {@code before} and this, e.g. {@code jit 0.90 s, xds-sync 0.71 s}. */
  String since(ThreadTimes before, String... waitsOf) {
    StringBuilder out = new StringBuilder();
    long total = 0;
    for (var group : byGroup.entrySet()) {
      long[] was = before.byGroup.getOrDefault(group.getKey(), new long[2]);
      long ran = group.getValue()[0] - was[0];
      total += ran;
      out.append(out.isEmpty() ? "" : ", ").append(group.getKey()).append(' ').append(seconds(ran));
      for (String waiting : waitsOf) {
        if (waiting.equals(group.getKey())) {
          out.append(" (waited ")
              .append(seconds(group.getValue()[1] - was[1]))
              .append(" for a core)");
        }
      }
    }
    return seconds(total) + ": " + out;
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }
}
