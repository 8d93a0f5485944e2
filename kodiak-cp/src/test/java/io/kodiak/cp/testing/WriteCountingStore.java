package io.kodiak.cp.testing;

import io.kodiak.store.api.ResourceStore;
import io.kodiak.store.memory.InMemoryResourceStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory store that counts every write (create, update, delete, putSetting) asked of it. */
public final class WriteCountingStore {
  private static final Set<String> WRITES = Set.of("create", "update", "delete", "putSetting");
  private final ResourceStore delegate = new InMemoryResourceStore(Clock.systemUTC());
  private final AtomicInteger writes = new AtomicInteger();
  private final ResourceStore counting =
      (ResourceStore)
          Proxy.newProxyInstance(
              ResourceStore.class.getClassLoader(),
              new Class<?>[] {ResourceStore.class},
              (proxy, method, args) -> {
                if (WRITES.contains(method.getName())) {
                  writes.incrementAndGet();
                }
                try {
                  return method.invoke(delegate, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause(); // the store's own exception, as the caller would see it
                }
              });

  /** The store to hand to the code under test. */
  public ResourceStore store() {
    return counting;
  }

  /** Writes asked so far, refused ones included. */
  public int writes() {
    return writes.get();
  }
}
