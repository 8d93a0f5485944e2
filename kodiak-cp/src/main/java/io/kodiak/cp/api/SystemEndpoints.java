package io.kodiak.cp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import io.kodiak.model.catalog.PolicySections;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;

/** {@code GET /}, {@code GET /_resources} and {@code GET /config}. */
final class SystemEndpoints {
  private final ObjectNode index;
  private final ObjectNode resourceTypes;
  private final JsonNode config;

  SystemEndpoints(ServerIdentity identity, JsonNode config) {
    this.index = ApiRouter.object();
    index.put("hostname", identity.hostname());
    index.put("tagline", "Kodiak");
    index.put("product", "Kodiak");
    index.put("version", identity.version());
    index.put("basedOnKuma", "2.14.3");
    index.put("instanceId", identity.instanceId());
    index.put("clusterId", identity.clusterId());
    index.put("gui", "/gui");
    this.resourceTypes = describeTypes();
    this.config = config;
  }

  HttpResponse index() {
    return ApiRouter.json(HttpStatus.OK, index);
  }

  HttpResponse resourceTypes() {
    return ApiRouter.json(HttpStatus.OK, resourceTypes);
  }

  HttpResponse config() {
    return ApiRouter.json(HttpStatus.OK, config);
  }

  private static ObjectNode describeTypes() {
    ObjectNode body = ApiRouter.object();
    ArrayNode list = body.putArray("resources");
    for (ResourceType type : ResourceCatalog.all()) {
      ObjectNode item = list.addObject();
      item.put("name", type.name());
      item.put("scope", type.scope().apiName());
      item.put("readOnly", false);
      item.put("path", type.path());
      item.put("singularDisplayName", type.singularDisplayName());
      item.put("pluralDisplayName", type.pluralDisplayName());
      item.put("shortName", type.shortName());
      item.put("includeInFederation", true);
      if (type.policy().isPresent()) {
        PolicySections sections = type.policy().get();
        ObjectNode policy = item.putObject("policy");
        policy.put("isTargetRef", true);
        policy.put("hasToTargetRef", sections.hasTo());
        policy.put("hasFromTargetRef", sections.hasFrom());
        policy.put("hasRulesTargetRef", sections.hasRules());
        policy.put("isFromAsRules", false);
      }
    }
    return body;
  }

  /** What the index endpoint says about this control plane. */
  record ServerIdentity(String hostname, String version, String instanceId, String clusterId) {}
}
