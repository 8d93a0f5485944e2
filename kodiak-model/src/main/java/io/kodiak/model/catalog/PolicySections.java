package io.kodiak.model.catalog;

/**
 * Which targetRef sections a policy type supports, as reported by {@code /_resources}.
 *
 * @param hasTo the policy configures outbound traffic ({@code spec.to[]})
 * @param hasFrom the policy configures inbound traffic ({@code spec.from[]})
 * @param hasRules the policy has the {@code spec.rules[]} form
 */
public record PolicySections(boolean hasTo, boolean hasFrom, boolean hasRules) {}
