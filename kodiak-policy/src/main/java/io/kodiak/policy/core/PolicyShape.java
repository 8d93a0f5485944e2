package io.kodiak.policy.core;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.Violations;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The sections a policy type has and the targetRef kinds each accepts, checked the same way for
 * every policy. {@link #check} returns the {@code default} blocks so the policy's own validator
 * only looks at its configuration fields. Immutable and thread-safe.
 */
public final class PolicyShape {
  private final Set<TargetRefKind> top;
  private final Set<TargetRefKind> to;
  private final Set<TargetRefKind> from;
  private final boolean rules;
  private final boolean topLevelDefault;
  private final String toContent;

  private PolicyShape(Builder b) {
    this.top = b.top;
    this.to = b.to;
    this.from = b.from;
    this.rules = b.rules;
    this.topLevelDefault = b.topLevelDefault;
    this.toContent = b.toContent;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks targetRefs and sections; returns every {@code default} block found, each with its path.
   */
  public List<At> check(Resource policy, Violations out) {
    At spec = At.of(policy.spec(), FieldPath.of("spec"));
    At targetRef = spec.field("targetRef");
    if (targetRef.present()) {
      TargetRefs.check(targetRef, top, out);
    }
    List<At> defaults = new ArrayList<>();
    if (topLevelDefault) {
      At def = spec.field("default");
      def.require(out);
      if (def.present()) {
        defaults.add(def);
      }
      return defaults;
    }
    boolean any = false;
    any |= section(spec.field("to"), to, toContent, defaults, out);
    any |= section(spec.field("from"), from, "default", defaults, out);
    At ruleList = spec.field("rules");
    if (ruleList.present()) {
      for (At rule : ruleList.items()) {
        defaults.add(rule.field("default"));
      }
      any = any || !ruleList.items().isEmpty();
    }
    if (!any) {
      out.add(spec.path(), "at least one of " + sectionNames() + " must be defined and not empty");
    }
    return defaults;
  }

  private boolean section(
      At list, Set<TargetRefKind> kinds, String content, List<At> defaults, Violations out) {
    if (!list.present()) {
      return false;
    }
    if (kinds.isEmpty()) {
      return false; // the schema reports the section as an unknown field
    }
    for (At item : list.items()) {
      At ref = item.field("targetRef");
      if (ref.present()) {
        TargetRefs.check(ref, kinds, out);
      }
      At body = item.field(content);
      if (!body.present()) {
        out.add(body.path(), "must be defined");
      } else if (content.equals("default")) {
        defaults.add(body);
      }
    }
    return !list.items().isEmpty();
  }

  private String sectionNames() {
    List<String> names = new ArrayList<>();
    if (!to.isEmpty()) {
      names.add("'to'");
    }
    if (!from.isEmpty()) {
      names.add("'from'");
    }
    if (rules) {
      names.add("'rules'");
    }
    return String.join(", ", names);
  }

  /** Builds a {@link PolicyShape}. */
  public static final class Builder {
    private Set<TargetRefKind> top = EnumSet.noneOf(TargetRefKind.class);
    private Set<TargetRefKind> to = EnumSet.noneOf(TargetRefKind.class);
    private Set<TargetRefKind> from = EnumSet.noneOf(TargetRefKind.class);
    private boolean rules;
    private boolean topLevelDefault;
    private String toContent = "default";

    public Builder top(TargetRefKind first, TargetRefKind... more) {
      top = EnumSet.of(first, more);
      return this;
    }

    public Builder to(TargetRefKind first, TargetRefKind... more) {
      to = EnumSet.of(first, more);
      return this;
    }

    /** For routes: the content of a {@code to[]} item is {@code rules}, not {@code default}. */
    public Builder toContent(String field) {
      toContent = field;
      return this;
    }

    public Builder from(TargetRefKind first, TargetRefKind... more) {
      from = EnumSet.of(first, more);
      return this;
    }

    public Builder rules() {
      rules = true;
      return this;
    }

    /** The policy has a single {@code spec.default} and no to/from/rules sections. */
    public Builder topLevelDefault() {
      topLevelDefault = true;
      return this;
    }

    public PolicyShape build() {
      return new PolicyShape(this);
    }
  }
}
