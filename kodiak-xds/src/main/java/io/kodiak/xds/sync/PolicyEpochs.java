package io.kodiak.xds.sync;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One counter per mesh that moves on every policy or Mesh write of that mesh: part of every proxy's
 * inputs, so a policy change is never taken for "unchanged".
 *
 * <p>Thread-safe (a concurrent map of atomics): moved by change intake on the store's change
 * threads, read on the worker before the mesh is listed (a write after that read moves it past the
 * snapshot, so the next flush cannot skip it).
 */
final class PolicyEpochs {
  private final Map<String, AtomicLong> byMesh = new ConcurrentHashMap<>();

  void advance(String mesh) {
    epoch(mesh).incrementAndGet();
  }

  long current(String mesh) {
    return epoch(mesh).get();
  }

  private AtomicLong epoch(String mesh) {
    return byMesh.computeIfAbsent(mesh, m -> new AtomicLong());
  }
}
