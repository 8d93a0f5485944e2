package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.core.Resource;

/**
 * One item of a policy's {@code to}, {@code from} or {@code rules} list (index -1: its top-level
 * {@code default}), with its {@code default} block decoded once per mesh snapshot.
 */
public record Entry<C>(Resource policy, int index, JsonNode item, C conf) {
  public Origin origin() {
    return new Origin(policy, index);
  }

  public JsonNode targetRef() {
    return item.path("targetRef");
  }
}
