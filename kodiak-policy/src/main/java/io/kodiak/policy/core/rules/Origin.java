package io.kodiak.policy.core.rules;

import io.kodiak.model.core.Resource;

/**
 * A policy that contributed to a rule, and which entry of its {@code to}, {@code from} or {@code
 * rules} list (-1 for a top-level {@code default}).
 */
public record Origin(Resource policy, int index) {}
