package io.kodiak.policy.core.rules;

import java.util.List;

/**
 * The policies of one type that select a proxy, compared element by element by identity: decoded
 * policies are shared per snapshot, so two proxies of one snapshot with equal matches were selected
 * by the very same policies. Immutable; its hash is computed once, as every outbound of the proxy
 * looks its shared part up by it.
 */
final class MatchedPolicies {
  private final List<? extends DecodedPolicy<?>> policies;
  private final int hash;

  MatchedPolicies(List<? extends DecodedPolicy<?>> policies) {
    this.policies = policies;
    int h = 1;
    for (Object policy : policies) {
      h = 31 * h + System.identityHashCode(policy);
    }
    this.hash = h;
  }

  List<? extends DecodedPolicy<?>> policies() {
    return policies;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof MatchedPolicies that)
        || that.hash != hash
        || that.policies.size() != policies.size()) {
      return false;
    }
    for (int i = 0; i < policies.size(); i++) {
      if (policies.get(i) != that.policies.get(i)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
