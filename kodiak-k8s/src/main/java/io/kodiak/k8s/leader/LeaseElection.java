package io.kodiak.k8s.leader;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election with a {@code coordination.k8s.io/v1} Lease, by fabric8's {@code LeaderElector}:
 * a replica holds the Lease while it renews it; once it stops (crash, partition) another takes it
 * when it expires. A fabric8 elector ends when its leadership does, so each ended round starts a
 * new one: a deposed replica stays a candidate. {@link #close} releases a held Lease, so another
 * replica takes over at its next attempt instead of when the Lease expires. Expiry is judged by the
 * candidates' clocks against the holder's renewTime: clocks must agree to well within the lease
 * duration. Thread-safe.
 */
public final class LeaseElection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseElection.class);

  private final KubernetesClient client;
  private final LeaseSettings lease;
  private final Candidate candidate;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lease-election");
            t.setDaemon(true);
            return t;
          });
  private CompletableFuture<?> round; // guarded by this
  private boolean leading; // guarded by this
  private boolean closed; // guarded by this

  private LeaseElection(KubernetesClient client, LeaseSettings lease, Candidate candidate) {
    this.client = client;
    this.lease = lease;
    this.candidate = candidate;
  }

  /** Joins the election for {@code lease}; returns at once, the outcome goes to the candidate. */
  public static LeaseElection start(
      KubernetesClient client, LeaseSettings lease, Candidate candidate) {
    LeaseElection election = new LeaseElection(client, lease, candidate);
    election.nextRound();
    return election;
  }

  private synchronized void nextRound() {
    if (closed) {
      return;
    }
    var config =
        new LeaderElectionConfigBuilder()
            .withName(lease.name())
            .withLock(new LeaseLock(lease.namespace(), lease.name(), lease.identity()))
            .withLeaseDuration(lease.leaseDuration())
            .withRenewDeadline(lease.renewDeadline())
            .withRetryPeriod(lease.retryPeriod())
            .withReleaseOnCancel(true)
            .withLeaderCallbacks(
                new LeaderCallbacks(this::startedLeading, this::stoppedLeading, this::observed))
            .build();
    CompletableFuture<?> started =
        new LeaderElectorBuilder(client, thread).withConfig(config).build().start();
    round = started;
    started.whenComplete((ignored, failure) -> roundEnded(failure));
  }

  private void roundEnded(Throwable failure) {
    stoppedLeading(); // the elector's own call may not come when the API server is unreachable
    synchronized (this) {
      if (closed) {
        return;
      }
      if (failure != null && !(failure instanceof CancellationException)) {
        LOG.warn(
            "leader election: the election for Lease {} failed ({}); {} joins it again",
            lease.describe(),
            failure.toString(),
            lease.identity());
      }
      thread.schedule(this::nextRound, lease.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void startedLeading() {
    synchronized (this) {
      if (leading || closed) {
        return;
      }
      leading = true;
    }
    LOG.info(
        "leader election: {} holds Lease {} now and runs the singleton work",
        lease.identity(),
        lease.describe());
    candidate.elected();
  }

  private void stoppedLeading() {
    boolean shuttingDown;
    synchronized (this) {
      if (!leading) {
        return;
      }
      leading = false;
      shuttingDown = closed;
    }
    if (shuttingDown) {
      LOG.info(
          "leader election: {} gives up Lease {} at shutdown", lease.identity(), lease.describe());
    } else {
      LOG.info(
          "leader election: {} lost Lease {}; it stops the singleton work and keeps serving",
          lease.identity(),
          lease.describe());
    }
    candidate.deposed();
  }

  private void observed(String holder) {
    if (holder != null && !holder.isEmpty() && !holder.equals(lease.identity())) {
      LOG.info("leader election: Lease {} is held by {}", lease.describe(), holder);
    }
  }

  /** Leaves the election; releases the Lease if this replica holds it (a write to the API). */
  @Override
  public void close() {
    CompletableFuture<?> current;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      current = round;
    }
    if (current != null) {
      current.cancel(true); // fabric8 releases the Lease in this call (releaseOnCancel)
    }
    thread.shutdownNow();
  }
}
