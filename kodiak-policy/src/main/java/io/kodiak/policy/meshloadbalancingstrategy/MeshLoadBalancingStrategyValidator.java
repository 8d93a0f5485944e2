package io.kodiak.policy.meshloadbalancingstrategy;

import static io.kodiak.policy.core.TargetRefKind.MESH;
import static io.kodiak.policy.core.TargetRefKind.MESH_MULTI_ZONE_SERVICE;
import static io.kodiak.policy.core.TargetRefKind.MESH_SERVICE;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.ConfChecks;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import io.kodiak.policy.core.rules.SpecMapper;
import io.kodiak.policy.meshloadbalancingstrategy.MeshLoadBalancingStrategyConf.LoadBalancer;

/**
 * MeshLoadBalancingStrategy, checked on the decoded conf (malformed and negative cookie TTLs are
 * reported by the decoding, at their field): the block for the chosen balancer is the only one set;
 * ring sizes in range and in order.
 */
final class MeshLoadBalancingStrategyValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder()
          .top(MESH, Kinds.PROXIES_AND_GATEWAYS)
          .to(MESH, MESH_SERVICE, MESH_MULTI_ZONE_SERVICE)
          .build();
  private static final long MAX_RING_SIZE = 8388608;
  private static final long MAX_TABLE_SIZE = 5000011;

  @Override
  public void validate(Resource policy, Violations out) {
    for (At block : SHAPE.check(policy, out)) {
      SpecMapper.check(block, MeshLoadBalancingStrategyConf.class, out)
          .ifPresent(
              conf -> {
                if (conf.loadBalancer() != null) {
                  check(conf.loadBalancer(), block.path().field("loadBalancer"), out);
                }
              });
    }
  }

  private static void check(LoadBalancer lb, FieldPath at, Violations out) {
    only(lb, lb.leastRequest() != null, "LeastRequest", at.field("leastRequest"), out);
    only(lb, lb.ringHash() != null, "RingHash", at.field("ringHash"), out);
    only(lb, lb.maglev() != null, "Maglev", at.field("maglev"), out);
    if (lb.ringHash() != null) {
      Integer min = lb.ringHash().minRingSize();
      Integer max = lb.ringHash().maxRingSize();
      FieldPath ring = at.field("ringHash");
      ConfChecks.range(min, ring.field("minRingSize"), 1, MAX_RING_SIZE, out);
      ConfChecks.range(max, ring.field("maxRingSize"), 1, MAX_RING_SIZE, out);
      if (min != null && max != null && min > max) {
        out.add(ring.field("maxRingSize"), "must not be smaller than minRingSize");
      }
    }
    if (lb.maglev() != null) {
      ConfChecks.range(
          lb.maglev().tableSize(), at.field("maglev").field("tableSize"), 1, MAX_TABLE_SIZE, out);
    }
    if (lb.leastRequest() != null) {
      ConfChecks.range(
          lb.leastRequest().choiceCount(),
          at.field("leastRequest").field("choiceCount"),
          2,
          Integer.MAX_VALUE,
          out);
    }
  }

  /** A balancer's own block may only be set when it is the chosen type. */
  private static void only(
      LoadBalancer lb, boolean set, String type, FieldPath block, Violations out) {
    if (set && !type.equals(lb.type())) {
      out.add(block, "can only be set when type is " + type);
    }
  }
}
