package io.kodiak.policy.core.module;

import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.policy.core.rules.ConfType;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.policy.core.rules.TypedPolicies;
import io.kodiak.xds.generate.PolicyPlugin;
import io.kodiak.xds.generate.ProxyResources;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything Kodiak knows about one policy type, in one value its package exposes: the resource
 * type, what its {@code default} blocks are in Java ({@link ConfType}), its validator, and its
 * plugin with the phase it runs in. The module list ({@code io.kodiak.policy.PolicyModules}) is the
 * only registration. Immutable and thread-safe.
 *
 * @param <C> the type of the policy's merged conf
 */
public final class PolicyModule<C> {
  private final TypedPolicies<C> policies;
  private final ResourceValidator validator;
  private final Phase phase;
  private final Plugin<C> plugin;
  private final Inspection inspection;
  private final boolean readsProxy;

  /** The outbound key of a plugin of the inbound phase, which never edits an outbound. */
  private static final Object INBOUND_ONLY = new Object();

  /**
   * What the inspect API says about this type beyond its merged rules: whether its {@code to[]}
   * items are route rules (shown in match order, not merged), whether {@code from[]} items naming
   * specific callers are applied (otherwise it warns), and whether it only acts with mTLS on.
   */
  public record Inspection(boolean routeRules, boolean appliesSpecificCallers, boolean needsMtls) {
    static final Inspection PLAIN = new Inspection(false, false, false);
  }

  private PolicyModule(
      TypedPolicies<C> policies,
      ResourceValidator validator,
      Phase phase,
      Plugin<C> plugin,
      Inspection inspection,
      boolean readsProxy) {
    this.inspection = inspection;
    this.readsProxy = readsProxy;
    this.policies = policies;
    this.validator = Objects.requireNonNull(validator, "validator");
    this.phase = Objects.requireNonNull(phase, "phase");
    this.plugin = Objects.requireNonNull(plugin, "plugin");
  }

  /**
   * A policy's effect on one proxy's Envoy resources, given its rules for that proxy. Pure and
   * thread-safe.
   */
  @FunctionalInterface
  public interface Plugin<C> {
    void apply(ProxyResources resources, PolicyRules<C> rules);
  }

  /** Starts a module for {@code type}, whose {@code default} blocks are {@code conf}. */
  public static <C> Builder<C> of(ResourceType type, ConfType<C> conf) {
    return new Builder<>(new TypedPolicies<>(type, conf));
  }

  public ResourceType type() {
    return policies.type();
  }

  /** The type's policies as decoded once per mesh snapshot; what matching and inspection read. */
  public TypedPolicies<C> policies() {
    return policies;
  }

  public ResourceValidator validator() {
    return validator;
  }

  public Phase phase() {
    return phase;
  }

  public Inspection inspection() {
    return inspection;
  }

  /**
   * The plugin as the generator runs it: this type's rules for the proxy are matched and merged
   * once, then handed over; a proxy no policy of the type selects is left alone.
   */
  public PolicyPlugin plugin() {
    return (mesh, proxy) -> {
      PolicyRules<C> rules = PolicyRules.of(policies, mesh, proxy);
      if (rules.isEmpty()) {
        return Optional.empty();
      }
      Optional<Object> outboundKey =
          readsProxy
              ? Optional.empty()
              : phase == Phase.INBOUND
                  ? Optional.of(INBOUND_ONLY) // edits inbounds only: outbounds the same for anyone
                  : Optional.of(rules.selection());
      return Optional.of(
          new PolicyPlugin.Bound() {
            @Override
            public void apply(ProxyResources resources) {
              plugin.apply(resources, rules);
            }

            @Override
            public Optional<Object> outboundKey() {
              return outboundKey;
            }
          });
    };
  }

  /** Builds a module: a validator, a phase and a plugin are required. */
  public static final class Builder<C> {
    private final TypedPolicies<C> policies;
    private ResourceValidator validator;
    private Phase phase;
    private Plugin<C> plugin;
    private Inspection inspection = Inspection.PLAIN;
    private boolean readsProxy;

    private Builder(TypedPolicies<C> policies) {
      this.policies = policies;
    }

    public Builder<C> validator(ResourceValidator validator) {
      this.validator = validator;
      return this;
    }

    public Builder<C> plugin(Phase phase, Plugin<C> plugin) {
      this.phase = phase;
      this.plugin = plugin;
      return this;
    }

    /**
     * Its {@code to[]} items are route rules: the inspect API shows them in the order Envoy matches
     * them.
     */
    public Builder<C> routeRules() {
      inspection =
          new Inspection(true, inspection.appliesSpecificCallers(), inspection.needsMtls());
      return this;
    }

    /** It applies {@code from[]} items that name specific callers, and acts only with mTLS on. */
    public Builder<C> judgesCallers() {
      inspection = new Inspection(inspection.routeRules(), true, true);
      return this;
    }

    /**
     * Its plugin's outbound edits depend on more than the outbound and which policies select the
     * proxy (they read {@code resources.proxy()}: its name, address or services), or it adds
     * resources for the proxy as a whole. Without this, the outbounds of proxies the same policies
     * select are generated once and shared, and reading the proxy there fails.
     */
    public Builder<C> readsProxy() {
      readsProxy = true;
      return this;
    }

    public PolicyModule<C> build() {
      return new PolicyModule<>(policies, validator, phase, plugin, inspection, readsProxy);
    }
  }
}
