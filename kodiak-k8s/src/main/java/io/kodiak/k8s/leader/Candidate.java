package io.kodiak.k8s.leader;

/**
 * What a {@link LeaseElection} tells about its outcome. Both are called on the election's own
 * thread while it holds the Lease lock, so they must return promptly (hand long work to another
 * thread); each is called only on a change (elected, deposed, elected again...).
 */
public interface Candidate {
  /** This replica holds the Lease now. */
  void elected();

  /** This replica no longer holds the Lease (lost, expired unrenewed, or released at close). */
  void deposed();
}
