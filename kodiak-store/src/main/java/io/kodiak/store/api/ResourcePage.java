package io.kodiak.store.api;

import io.kodiak.model.core.Resource;
import java.util.List;

/** One page of a list: its items and the total number of matches across all pages. */
public record ResourcePage(List<Resource> items, int total) {
  public ResourcePage {
    items = List.copyOf(items);
  }
}
