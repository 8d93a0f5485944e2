package io.kodiak.model.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/** Small valid resources for tests, built through the real codec. */
public final class TestResources {
  private TestResources() {}

  public static Resource mesh(String name) {
    return decode("type: Mesh\nname: " + name + "\n");
  }

  public static Resource timeout(String mesh, String name, String idle) {
    return decode(
        """
        type: MeshTimeout
        mesh: %s
        name: %s
        labels:
          team: core
        spec:
          targetRef:
            kind: Mesh
          to:
            - targetRef:
                kind: Mesh
              default:
                idleTimeout: %s
        """
            .formatted(mesh, name, idle));
  }

  public static Resource decode(String yaml) {
    return ResourceCodec.decode(Documents.parse(yaml));
  }

  public static ObjectNode yaml(String text) {
    return (ObjectNode) Documents.parse(text);
  }

  /** A clock tests move by hand, so timestamps are exact. */
  public static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    public void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
