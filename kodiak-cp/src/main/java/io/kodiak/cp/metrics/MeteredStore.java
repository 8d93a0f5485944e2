package io.kodiak.cp.metrics;

import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.store.api.ChangeListener;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourcePage;
import io.kodiak.store.api.ResourceStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A store that times every operation (count and latency by operation, failures apart). */
public final class MeteredStore implements ResourceStore {
  private final ResourceStore delegate;
  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>(); // looked up once

  public MeteredStore(ResourceStore delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  private <T> T timed(String operation, Supplier<T> call) {
    long start = System.nanoTime();
    String outcome = "ok";
    try {
      return call.get();
    } catch (RuntimeException e) {
      outcome = "error";
      throw e;
    } finally {
      String result = outcome;
      timers
          .computeIfAbsent(
              operation + " " + outcome,
              k ->
                  Timer.builder("kodiak_store_operation")
                      .description("Store operations by kind and outcome")
                      .tag("operation", operation)
                      .tag("outcome", result)
                      .register(registry))
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public Resource create(Resource resource) {
    return timed("create", () -> delegate.create(resource));
  }

  @Override
  public Resource update(Resource resource, long expectedVersion) {
    return timed("update", () -> delegate.update(resource, expectedVersion));
  }

  @Override
  public void delete(ResourceKey key) {
    timed(
        "delete",
        () -> {
          delegate.delete(key);
          return null;
        });
  }

  @Override
  public Optional<Resource> get(ResourceKey key) {
    return timed("get", () -> delegate.get(key));
  }

  @Override
  public ResourcePage list(ResourceType type, ListQuery query) {
    return timed("list", () -> delegate.list(type, query));
  }

  @Override
  public int count(ResourceType type, Optional<String> mesh) {
    return timed("count", () -> delegate.count(type, mesh));
  }

  @Override
  public Optional<String> setting(String key) {
    return delegate.setting(key);
  }

  @Override
  public void putSetting(String key, String value) {
    delegate.putSetting(key, value);
  }

  @Override
  public String settingIfAbsent(String key, String value) {
    return delegate.settingIfAbsent(key, value);
  }

  @Override
  public void addListener(ChangeListener listener) {
    delegate.addListener(listener);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
