package io.kodiak.ctl.tproxy;

import java.util.ArrayList;
import java.util.List;

/**
 * What of ours the nat table holds, read from {@code iptables -t nat -S}: our chains, and every
 * rule of another chain that jumps into one of them (kept verbatim, so that {@code -D} with the
 * same words deletes exactly that rule).
 */
record NatState(List<String> chains, List<String> jumps) {
  static final NatState EMPTY = new NatState(List.of(), List.of());

  NatState {
    chains = List.copyOf(chains);
    jumps = List.copyOf(jumps);
  }

  static NatState parse(String listing) {
    List<String> chains = new ArrayList<>();
    List<String> jumps = new ArrayList<>();
    for (String line : listing.split("\n", -1)) {
      String[] words = line.strip().split("\\s+", -1);
      if (words.length == 2 && words[0].equals("-N") && Chain.isOurs(words[1])) {
        chains.add(words[1]);
      } else if (words.length > 2
          && words[0].equals("-A")
          && !Chain.isOurs(words[1])
          && Chain.isOurs(target(words))) {
        jumps.add(line.strip().substring("-A ".length()));
      }
    }
    return new NatState(chains, jumps);
  }

  /**
   * The restore input deleting the jumps into our chains, then the chains (all flushed before any
   * is deleted, since they jump to each other), in {@code table}; null when there is nothing of
   * ours.
   */
  String removal(String table) {
    if (isEmpty()) {
      return null;
    }
    List<String> lines = new ArrayList<>();
    lines.add("*" + table);
    jumps.forEach(jump -> lines.add("-D " + jump));
    chains.forEach(chain -> lines.add("-F " + chain));
    chains.forEach(chain -> lines.add("-X " + chain));
    lines.add("COMMIT");
    return String.join("\n", lines) + "\n";
  }

  boolean isEmpty() {
    return chains.isEmpty() && jumps.isEmpty();
  }

  private static String target(String[] words) {
    for (int i = 0; i < words.length - 1; i++) {
      if (words[i].equals("-j") || words[i].equals("-g")) {
        return words[i + 1];
      }
    }
    return "";
  }
}
