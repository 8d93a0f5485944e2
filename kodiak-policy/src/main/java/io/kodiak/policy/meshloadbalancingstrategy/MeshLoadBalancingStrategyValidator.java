package io.kodiak.policy.meshloadbalancingstrategy;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.At.DurationRule;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import static io.kodiak.policy.core.TargetRefKind.*;
import io.kodiak.policy.core.Regexes;

/** MeshLoadBalancingStrategy: the block for the chosen balancer is the only one set; ring sizes in order. */
final class MeshLoadBalancingStrategyValidator implements ResourceValidator {
  private static final PolicyShape SHAPE = PolicyShape.builder()
      .top(MESH, Kinds.PROXIES_AND_GATEWAYS).to(MESH, MESH_SERVICE, MESH_MULTI_ZONE_SERVICE).build();
  private static final String[][] TYPES = {{"RoundRobin", ""}, {"LeastRequest", "leastRequest"},
      {"RingHash", "ringHash"}, {"Random", ""}, {"Maglev", "maglev"}};

  @Override
  public void validate(Resource policy, Violations out) {
    for (At conf : SHAPE.check(policy, out)) {
      At lb = conf.field("loadBalancer");
      String type = lb.field("type").text();
      for (String[] option : TYPES) {
        if (!option[1].isEmpty() && lb.field(option[1]).present() && !option[0].equals(type)) {
          out.add(lb.field(option[1]).path(), "can only be set when type is " + option[0]);
        }
      }
      At ring = lb.field("ringHash");
      At min = ring.field("minRingSize");
      At max = ring.field("maxRingSize");
      min.intRange(out, 1, 8388608);
      max.intRange(out, 1, 8388608);
      if (min.present() && max.present() && min.node().asLong() > max.node().asLong()) {
        out.add(max.path(), "must not be smaller than minRingSize");
      }
      lb.field("maglev").field("tableSize").intRange(out, 1, 5000011);
      lb.field("leastRequest").field("choiceCount").intRange(out, 2, Integer.MAX_VALUE);
      for (At block : new At[] {ring, lb.field("maglev")}) {
        for (At hash : block.field("hashPolicies").items()) {
          At cookie = hash.field("cookie");
          cookie.field("ttl").duration(out, DurationRule.NON_NEGATIVE);
          Regexes.check(hash.field("header").field("regexRewrite").field("pattern"), out);
        }
      }
    }
  }
}
