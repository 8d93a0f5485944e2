package io.kodiak.policy.meshhttproute;

import static io.kodiak.policy.core.TargetRefKind.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.core.BackendRefs;
import io.kodiak.policy.core.Kinds;
import io.kodiak.policy.core.PolicyShape;
import io.kodiak.policy.core.Regexes;

/** MeshHTTPRoute: matches that make sense, valid regexes, filters that carry their settings. */
final class MeshHTTPRouteValidator implements ResourceValidator {
  private static final PolicyShape SHAPE =
      PolicyShape.builder()
          .top(MESH, Kinds.PROXIES_AND_GATEWAYS)
          .to(MESH, Kinds.DESTINATIONS)
          .toContent("rules")
          .build();

  @Override
  public void validate(Resource policy, Violations out) {
    SHAPE.check(policy, out);
    At spec = At.of(policy.spec(), FieldPath.of("spec"));
    for (At to : spec.field("to").items()) {
      for (At rule : to.field("rules").items()) {
        for (At match : rule.field("matches").items()) {
          At path = match.field("path");
          if (path.field("type").text().equals("RegularExpression")) {
            Regexes.check(path.field("value"), out);
          } else if (path.present() && !path.field("value").text().startsWith("/")) {
            out.add(path.field("value").path(), "must start with /");
          }
          for (At header : match.field("headers").items()) {
            if (header.field("type").text().equals("RegularExpression")) {
              Regexes.check(header.field("value"), out);
            }
          }
          for (At query : match.field("queryParams").items()) {
            if (query.field("type").text().equals("RegularExpression")) {
              Regexes.check(query.field("value"), out);
            }
          }
        }
        At conf = rule.field("default");
        BackendRefs.check(conf.field("backendRefs"), out);
        for (At filter : conf.field("filters").items()) {
          checkFilter(filter, out);
        }
      }
    }
  }

  private static void checkFilter(At filter, Violations out) {
    String type = filter.field("type").text();
    String field =
        switch (type) {
          case "RequestHeaderModifier" -> "requestHeaderModifier";
          case "ResponseHeaderModifier" -> "responseHeaderModifier";
          case "RequestRedirect" -> "requestRedirect";
          case "URLRewrite" -> "urlRewrite";
          case "RequestMirror" -> "requestMirror";
          default -> null;
        };
    if (field == null) {
      return; // the schema reports an unknown type
    }
    if (!filter.field(field).present()) {
      out.add(filter.field(field).path(), "must be defined for a filter of type " + type);
    }
    filter.field("requestMirror").field("percentage").percentage(out);
    At mirrorRef = filter.field("requestMirror").field("backendRef");
    if (mirrorRef.present()) {
      At single =
          At.of(JsonNodeFactory.instance.arrayNode().add(mirrorRef.node()), mirrorRef.path());
      BackendRefs.check(single, out);
    }
  }
}
