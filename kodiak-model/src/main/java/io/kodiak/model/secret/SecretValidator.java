package io.kodiak.model.secret;

import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.At;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.model.validation.Violations;

/** A Secret must carry data; its base64 form is checked by the schema. */
public final class SecretValidator implements ResourceValidator {
  @Override
  public void validate(Resource resource, Violations out) {
    At data = At.of(resource.spec(), FieldPath.root()).field("data");
    if (data.text().isEmpty()) {
      out.add(data.path(), "must be defined and not empty");
    }
  }
}
