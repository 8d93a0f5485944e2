package io.kodiak.k8s.leader;

import java.time.Duration;
import java.util.Objects;

/**
 * Which Lease a replica competes for, under which name, and how often: the holder is the leader's
 * for {@code leaseDuration} after its last renewal; it gives up when it could not renew for {@code
 * renewDeadline} (shorter, so it stops before another may take over); every attempt is {@code
 * retryPeriod} apart. Immutable.
 *
 * @param namespace where the Lease lives (the control plane's system namespace)
 * @param name the Lease's name
 * @param identity this replica's name in the Lease's {@code holderIdentity}
 */
public record LeaseSettings(
    String namespace,
    String name,
    String identity,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod) {
  /** Kubernetes controllers' usual timing: 15 s lease, 10 s renew deadline, 2 s retry. */
  public static final Duration LEASE_DURATION = Duration.ofSeconds(15);

  public static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
  public static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

  public LeaseSettings {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(identity, "identity");
    if (renewDeadline.compareTo(leaseDuration) >= 0 || retryPeriod.compareTo(renewDeadline) >= 0) {
      throw new IllegalArgumentException(
          "a Lease needs retryPeriod < renewDeadline < leaseDuration, not "
              + retryPeriod
              + " / "
              + renewDeadline
              + " / "
              + leaseDuration);
    }
  }

  /** {@code namespace/name}, for logs. */
  String describe() {
    return namespace + "/" + name;
  }
}
