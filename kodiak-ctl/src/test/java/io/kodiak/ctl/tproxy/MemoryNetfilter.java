package io.kodiak.ctl.tproxy;

import java.util.ArrayList;
import java.util.List;

/** A nat table that is only a listing; records what was restored and fails when told to. */
final class MemoryNetfilter implements Netfilter {
  final List<String> restored = new ArrayList<>();
  String listing = "-P PREROUTING ACCEPT\n-P OUTPUT ACCEPT\n";
  String failure;

  @Override
  public String list() {
    return listing;
  }

  @Override
  public void restore(String rules) {
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
    restored.add(rules);
  }
}
