package io.kodiak.model.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FieldPathTest {
  @Test
  void buildsKumaStylePaths() {
    FieldPath path =
        FieldPath.of("spec")
            .field("to")
            .index(0)
            .field("default")
            .field("http")
            .field("requestTimeout");
    assertThat(path).hasToString("spec.to[0].default.http.requestTimeout");
  }

  @Test
  void quotesMapKeysThatWouldBeAmbiguous() {
    assertThat(FieldPath.of("tags").key("version")).hasToString("tags.version");
    assertThat(FieldPath.of("tags").key("kuma.io/service"))
        .hasToString("tags[\"kuma.io/service\"]");
  }
}
