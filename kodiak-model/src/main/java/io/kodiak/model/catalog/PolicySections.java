package io.kodiak.model.catalog;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which targetRef sections a policy type supports, as reported by {@code /_resources}. Immutable.
 */
public final class PolicySections {
  /** A section of a policy's spec. */
  public enum Section {
    /** {@code spec.to[]}: the policy configures outbound traffic. */
    TO,
    /** {@code spec.from[]}: the policy configures inbound traffic. */
    FROM,
    /** {@code spec.rules[]}: the inbound form without a source. */
    RULES
  }

  private final Set<Section> sections;

  private PolicySections(Set<Section> sections) {
    this.sections = Set.copyOf(sections);
  }

  /** The sections named; none for a policy with only a top-level {@code default}. */
  public static PolicySections of(Section... sections) {
    EnumSet<Section> set = EnumSet.noneOf(Section.class);
    set.addAll(Arrays.asList(sections));
    return new PolicySections(set);
  }

  public boolean hasTo() {
    return sections.contains(Section.TO);
  }

  public boolean hasFrom() {
    return sections.contains(Section.FROM);
  }

  public boolean hasRules() {
    return sections.contains(Section.RULES);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PolicySections that && sections.equals(that.sections);
  }

  @Override
  public int hashCode() {
    return sections.hashCode();
  }

  @Override
  public String toString() {
    return "PolicySections" + new TreeSet<>(sections);
  }
}
