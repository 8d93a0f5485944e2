package io.kodiak.store.memory;

import io.kodiak.store.api.ResourceStore;
import io.kodiak.store.contract.ResourceStoreContract;

class InMemoryResourceStoreTest extends ResourceStoreContract {
  @Override
  protected ResourceStore openEmptyStore() {
    return new InMemoryResourceStore(clock);
  }
}
