package io.kodiak.e2e.support;

import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.xds.sync.SnapshotSync;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A running control plane, in this JVM or in its own process, as {@link MeshInvariants} reads it.
 */
sealed interface CheckedControlPlane
    permits CheckedControlPlane.InProcess, CheckedControlPlane.OwnProcess {
  /** Names it in failure messages (and tells it from the others). */
  String name();

  /** Its REST API. */
  String url();

  /** How long in-flight changes may take to settle before it must be quiet. */
  Duration settleWithin();

  /** What it generated and pushed so far: two equal readings mean nothing happened in between. */
  Activity activity();

  /** The control planes running now: in-process ones first, then processes, each oldest first. */
  static List<CheckedControlPlane> running() {
    List<CheckedControlPlane> all = new ArrayList<>();
    RunningControlPlane.live().forEach(cp -> all.add(new InProcess(cp)));
    StartedControlPlanes.running().forEach(cp -> all.add(new OwnProcess(cp)));
    return all;
  }

  /** Responses sent to each proxy ({@code mesh/name}) and, in-process, the generation counters. */
  record Activity(long generations, long publications, Map<String, Long> sentByProxy) {
    public Activity {
      sentByProxy = Map.copyOf(sentByProxy);
    }

    static Activity of(long generations, long publications, String cpUrl) {
      Map<String, Long> sent = new TreeMap<>();
      ProxySubscriptions.of(cpUrl).forEach(s -> sent.merge(s.proxy(), s.sent(), Long::sum));
      return new Activity(generations, publications, sent);
    }

    /** What happened between {@code before} and this reading, in words. */
    String since(Activity before) {
      StringBuilder out = new StringBuilder();
      out.append("generations +")
          .append(generations - before.generations)
          .append(", publications +")
          .append(publications - before.publications)
          .append(", pushes:");
      Map<String, Long> pushed = new TreeMap<>();
      sentByProxy.forEach(
          (proxy, sent) -> {
            long more = sent - before.sentByProxy.getOrDefault(proxy, 0L);
            if (more != 0) {
              pushed.put(proxy, more);
            }
          });
      out.append(pushed.isEmpty() ? " none" : " " + pushed);
      return out.toString();
    }
  }

  /** A {@link RunningControlPlane}: its generation counters count every snapshot built. */
  record InProcess(RunningControlPlane cp) implements CheckedControlPlane {
    @Override
    public String name() {
      return "in-process control plane " + cp.url() + " (data " + cp.dataDir() + ")";
    }

    @Override
    public String url() {
      return cp.url();
    }

    @Override
    public Duration settleWithin() {
      return Duration.ofSeconds(5);
    }

    @Override
    public Activity activity() {
      SnapshotSync.Stats stats = cp.controlPlane().xdsStats();
      return Activity.of(stats.generations(), stats.publications(), cp.url());
    }
  }

  /** A {@link ControlPlaneProcess}: only what its API says was sent to each proxy is visible. */
  record OwnProcess(ControlPlaneProcess cp) implements CheckedControlPlane {
    @Override
    public String name() {
      return "kodiak-cp process " + cp.pid() + " at " + cp.url() + " (log " + cp.log() + ")";
    }

    @Override
    public String url() {
      return cp.url();
    }

    @Override
    public Duration settleWithin() {
      return Duration.ofSeconds(10);
    }

    @Override
    public Activity activity() {
      return Activity.of(0, 0, cp.url());
    }
  }
}
