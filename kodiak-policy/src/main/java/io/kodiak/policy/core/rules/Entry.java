package io.kodiak.policy.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.core.Resource;

/** One item of a policy's {@code to}, {@code from} or {@code rules} list, with where it came from. */
public record Entry(Resource policy, int index, JsonNode item) {
  public Origin origin() {
    return new Origin(policy, index);
  }

  public JsonNode targetRef() {
    return item.path("targetRef");
  }
}
