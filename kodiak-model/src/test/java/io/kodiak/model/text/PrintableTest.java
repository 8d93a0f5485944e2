package io.kodiak.model.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.model.validation.Violation;
import org.junit.jupiter.api.Test;

class PrintableTest {
  @Test
  void controlCharactersAreEscapedSoALogEventStaysOneLine() {
    String forged =
        "web\n2026-12-01T00:00:00Z INFO  [ControlPlane] admin logged in\r\u001b[2J\u2028\u202e";
    String safe = Printable.escaped(forged, 1000);
    assertThat(safe)
        .doesNotContain("\n", "\r", "\u001b", "\u2028", "\u202e")
        .startsWith("web\\n2026-12-01T00:00:00Z INFO")
        .contains("\\r\\u001b[2J\\u2028\\u202e");
    assertThat(Printable.hasControlCharacters(forged)).isTrue();
    assertThat(Printable.hasControlCharacters(safe)).isFalse();
  }

  @Test
  void plainTextIsUnchangedAndLongTextIsCut() {
    assertThat(Printable.escaped("mesh-timeout-all-default", 100))
        .isEqualTo("mesh-timeout-all-default");
    assertThat(Printable.escaped("x".repeat(10_000), 10))
        .isEqualTo("xxxxxxxxxx...(9990 more characters)");
  }

  @Test
  void truncationKeepsTheStartAndTheExplanationAtTheEnd() {
    String reason = "invalid name \"" + "a".repeat(900 * 1024) + "\": use lower-case letters";
    String cut = Printable.truncated(reason, 300);
    assertThat(cut)
        .hasSizeLessThan(400)
        .startsWith("invalid name \"aaa")
        .endsWith("\": use lower-case letters")
        .contains("more characters)");
  }

  @Test
  void everyViolationIsBoundedWhateverItEchoes() {
    String huge = "k".repeat(900 * 1024);
    Violation v =
        new Violation(
            "metadata.labels[\"" + huge + "\"]", "invalid label key \"" + huge + "\": too long");
    assertThat(v.field().length() + v.reason().length()).isLessThan(3 * 1024);
    assertThat(v.reason()).endsWith("\": too long");
  }
}
