package io.kodiak.policy.meshtrafficpermission;

import java.util.List;

/**
 * A MeshTrafficPermission {@code default} block; every component is null when not set. A {@code
 * from[]} item's block has only {@code action} (Allow, Deny or AllowWithShadowDeny); a {@code
 * rules[]} item's has only the match lists (the schema keeps each to its own). The plugin reads the
 * blocks item by item: permissions are judged, not merged.
 */
record MeshTrafficPermissionConf(
    String action, List<Match> allow, List<Match> deny, List<Match> allowWithShadowDeny) {
  static final MeshTrafficPermissionConf NONE =
      new MeshTrafficPermissionConf(null, null, null, null);

  MeshTrafficPermissionConf {
    allow = allow == null ? null : List.copyOf(allow);
    deny = deny == null ? null : List.copyOf(deny);
    allowWithShadowDeny = allowWithShadowDeny == null ? null : List.copyOf(allowWithShadowDeny);
  }

  /** Callers by the SPIFFE ID or the SNI they present; the validator wants one of the two. */
  record Match(Value spiffeID, Value sni) {}

  /** {@code type} is Exact or Prefix (SNI: Exact only). */
  record Value(String type, String value) {}

  List<Match> allowOrEmpty() {
    return allow == null ? List.of() : allow;
  }

  List<Match> denyOrEmpty() {
    return deny == null ? List.of() : deny;
  }

  List<Match> allowWithShadowDenyOrEmpty() {
    return allowWithShadowDeny == null ? List.of() : allowWithShadowDeny;
  }
}
