package io.kodiak.ctl.tproxy;

/** Our chains in the nat table; nothing else there is ours to change. */
enum Chain {
  KODIAK_INBOUND,
  KODIAK_INBOUND_REDIRECT,
  KODIAK_OUTBOUND,
  KODIAK_OUTBOUND_REDIRECT;

  static boolean isOurs(String name) {
    for (Chain chain : values()) {
      if (chain.name().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
