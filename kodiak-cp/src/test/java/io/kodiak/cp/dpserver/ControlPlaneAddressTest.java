package io.kodiak.cp.dpserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kodiak.model.codec.Documents;
import io.kodiak.model.validation.ValidationException;
import org.junit.jupiter.api.Test;

/** The replicas an agent lists reach Envoy's config: only host:port entries pass. */
class ControlPlaneAddressTest {
  @Test
  void namesAddressesAndBracketedIpv6Pass() {
    assertThat(
            ControlPlaneAddress.listed(
                    Documents.parse(
                        "[\"cp-1.mesh.internal:5678\", \"10.0.0.2:5678\", \"[::1]:5678\"]"))
                .orElseThrow())
        .containsExactly(
            new ControlPlaneAddress("cp-1.mesh.internal", 5678),
            new ControlPlaneAddress("10.0.0.2", 5678),
            new ControlPlaneAddress("::1", 5678));
    assertThat(ControlPlaneAddress.listed(Documents.parse("{}").path("controlPlaneAddresses")))
        .isEmpty();
  }

  @Test
  void hostileOrMalformedEntriesAreRefusedAtTheirIndex() {
    assertThatThrownBy(
            () ->
                ControlPlaneAddress.listed(
                    Documents.parse(
                        "[\"ok:1\", \"evil\\\"}, {\\\"x\\\": 1:5678\", \"host:99999\", \"nohost\"]")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("controlPlaneAddresses[1]")
        .hasMessageContaining("controlPlaneAddresses[2]")
        .hasMessageContaining("controlPlaneAddresses[3]")
        .hasMessageNotContaining("controlPlaneAddresses[0]");
    assertThatThrownBy(() -> ControlPlaneAddress.listed(Documents.parse("[]")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("1 to 16");
    assertThatThrownBy(() -> ControlPlaneAddress.listed(Documents.parse("\"cp:5678\"")))
        .isInstanceOf(ValidationException.class);
  }
}
