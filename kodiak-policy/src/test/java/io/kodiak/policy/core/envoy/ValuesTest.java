package io.kodiak.policy.core.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValuesTest {
  @ParameterizedTest
  @CsvSource({
    "2562047h47m16.854775807s, 9223372035, 999999999",
    "2562047h47m15s, 9223372035, 0",
    "2562047h, 9223369200, 0",
    "1d, 86400, 0",
    "1d12h, 129600, 0",
    "10y, 315360000, 0",
    "1.5s, 1, 500000000",
    "0, 0, 0"
  })
  // the longest (Kuma's maximum) is clamped to the longest Envoy accepts, 1.85 s shorter
  void durationsBecomeExactProtobufDurations(String text, long seconds, int nanos) {
    Duration duration = Values.duration(TextNode.valueOf(text));
    assertThat(duration.getSeconds()).isEqualTo(seconds);
    assertThat(duration.getNanos()).isEqualTo(nanos);
  }
}
