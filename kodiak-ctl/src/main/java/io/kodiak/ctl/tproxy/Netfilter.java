package io.kodiak.ctl.tproxy;

/** One netfilter table as the installer sees it; {@link Iptables} is the real one. */
interface Netfilter {
  /** {@code iptables -t <table> -S}: the table's chains and rules, one per line. */
  String list();

  /** {@code iptables-restore --noflush}: applies {@code rules} as one transaction, or throws. */
  void restore(String rules);
}
