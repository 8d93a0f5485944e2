package io.kodiak.ctl.tproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad flag is reported with its name and value, all in one error. */
class FlagsTest {
  @TempDir Path dir;

  private Path passwd() throws IOException {
    return Files.writeString(
        dir.resolve("passwd"),
        "root:x:0:0:root:/root:/bin/bash\nkuma-dp:x:5679:5679::/nonexistent:/usr/sbin/nologin\n");
  }

  private static Flags flags(Integer uid, String user, String inbound, String outbound) {
    return new Flags(15006, 15001, uid, user, inbound, outbound);
  }

  @Test
  void defaultsAreKumasPortsAndUid() throws IOException {
    assertThat(flags(null, null, null, "").settings(passwd()))
        .isEqualTo(new RedirectSettings(15006, 15001, 5678, List.of(), List.of()));
  }

  @Test
  void portListsAreTrimmedAndDeduplicatedInOrder() throws IOException {
    RedirectSettings settings = flags(7, null, "8081, 22,8081", "5432").settings(passwd());
    assertThat(settings.excludedInboundPorts()).containsExactly(8081, 22);
    assertThat(settings.excludedOutboundPorts()).containsExactly(5432);
    assertThat(settings.sidecarUid()).isEqualTo(7);
  }

  @Test
  void aUserNameResolvesToItsUid() throws IOException {
    assertThat(flags(null, "kuma-dp", null, null).settings(passwd()).sidecarUid()).isEqualTo(5679);
  }

  @Test
  void anUnknownUserIsAnErrorThatSuggestsTheUidFlag() throws IOException {
    Path passwd = passwd();
    assertThatThrownBy(() -> flags(null, "envoy", null, null).settings(passwd))
        .isInstanceOf(InvalidFlags.class)
        .hasMessageContaining("--kuma-dp-user: no user 'envoy' in " + passwd)
        .hasMessageContaining("--kuma-dp-uid");
  }

  @Test
  void badPortsAndEmptyItemsAreAllNamedWithTheirFlag() throws IOException {
    Path passwd = passwd();
    assertThatThrownBy(() -> flags(null, null, "22,,http", "0,65536, 80,").settings(passwd))
        .hasMessage(
            String.join(
                "\n  * ",
                "invalid flags, nothing changed:",
                "--exclude-inbound-ports: empty item in '22,,http'",
                "--exclude-inbound-ports: 'http' is not a port (1-65535)",
                "--exclude-outbound-ports: '0' is not a port (1-65535)",
                "--exclude-outbound-ports: '65536' is not a port (1-65535)",
                "--exclude-outbound-ports: empty item in '0,65536, 80,'"));
  }

  @Test
  void redirectPortsMustBePortsAndDiffer() throws IOException {
    Path passwd = passwd();
    assertThatThrownBy(() -> new Flags(70000, 70000, -1, null, null, null).settings(passwd))
        .hasMessageContaining("--redirect-inbound-port: 70000 is not a port (1-65535)")
        .hasMessageContaining("--redirect-outbound-port: 70000 is not a port (1-65535)")
        .hasMessageContaining("--redirect-outbound-port: 70000 is also --redirect-inbound-port")
        .hasMessageContaining("--kuma-dp-uid: -1 is not a uid (0 or more)");
  }

  @Test
  void uidAndUserTogetherAreAnError() throws IOException {
    Path passwd = passwd();
    assertThatThrownBy(() -> flags(5678, "kuma-dp", null, null).settings(passwd))
        .hasMessageContaining("--kuma-dp-uid 5678 and --kuma-dp-user kuma-dp: give one of them");
  }
}
