package io.kodiak.ctl.tproxy;

/** The kernel's nat table as the installer sees it; {@link Iptables} is the real one. */
interface Netfilter {
  /** {@code iptables -t nat -S}: the table's chains and rules, one per line. */
  String listNat();

  /** {@code iptables-restore --noflush}: applies {@code rules} as one transaction, or throws. */
  void restore(String rules);
}
