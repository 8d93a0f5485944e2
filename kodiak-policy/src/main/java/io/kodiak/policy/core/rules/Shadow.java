package io.kodiak.policy.core.rules;

/**
 * Whether dry-run policies ({@code kuma.io/effect: shadow}) count: the data path never includes
 * them.
 */
public enum Shadow {
  EXCLUDED,
  INCLUDED
}
