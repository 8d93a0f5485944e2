package io.kodiak.k8s.controllers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Values computed from watched state, kept until that state changes. {@link #invalidate} before
 * queueing the work a change causes: a value computed concurrently from older state is never served
 * after it. Thread-safe.
 */
final class Generational<K, V> {
  private final AtomicLong generation = new AtomicLong();
  private final Map<K, Entry<V>> values = new ConcurrentHashMap<>();

  private record Entry<V>(long generation, V value) {}

  V get(K key, Supplier<V> compute) {
    long now = generation.get();
    Entry<V> entry = values.get(key);
    if (entry != null && entry.generation() == now) {
      return entry.value();
    }
    V value = compute.get();
    values.put(key, new Entry<>(now, value));
    return value;
  }

  void invalidate() {
    generation.incrementAndGet();
  }
}
