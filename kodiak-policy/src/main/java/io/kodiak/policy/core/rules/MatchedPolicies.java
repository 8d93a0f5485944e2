package io.kodiak.policy.core.rules;

import java.util.List;

/**
 * The policies of one type that select a proxy, compared element by element by identity: decoded
 * policies are shared per snapshot, so two proxies of one snapshot with equal matches were selected
 * by the very same policies. Immutable.
 */
record MatchedPolicies(List<? extends DecodedPolicy<?>> policies) {
  @Override
  public boolean equals(Object other) {
    if (!(other instanceof MatchedPolicies that) || that.policies.size() != policies.size()) {
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
    int hash = 1;
    for (Object policy : policies) {
      hash = 31 * hash + System.identityHashCode(policy);
    }
    return hash;
  }
}
