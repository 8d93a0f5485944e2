package io.kodiak.ctl.tproxy;

/**
 * Our chains: all four in the IPv4 nat table, the first and third in the IPv6 filter table; nothing
 * else there is ours to change.
 */
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
