package io.kodiak.e2e.support;

import io.kodiak.cp.testing.RunningControlPlane;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Revokes dataplane tokens the way a user does: the mesh's revocation Secret lists their ids. */
public final class Revocations {
  private Revocations() {}

  /**
   * Writes {@code dataplane-token-revocations-<mesh>} with the token's id as its only entry.
   *
   * @return the HTTP status of the write
   */
  public static int revoke(RunningControlPlane cp, String mesh, String token) {
    String claims =
        new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    String jti = claims.replaceAll(".*\"jti\":\"([^\"]+)\".*", "$1");
    String name = "dataplane-token-revocations-" + mesh;
    return cp.put(
            "/meshes/" + mesh + "/secrets/" + name,
            """
        {"type": "Secret", "mesh": "%s", "name": "%s", "data": "%s"}
        """
                .formatted(
                    mesh,
                    name,
                    Base64.getEncoder().encodeToString(jti.getBytes(StandardCharsets.UTF_8))))
        .status();
  }
}
