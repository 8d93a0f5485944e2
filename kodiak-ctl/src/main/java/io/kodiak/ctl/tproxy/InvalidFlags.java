package io.kodiak.ctl.tproxy;

import java.util.List;

/** Every bad flag value at once, one line each, so one run tells the user all they must fix. */
final class InvalidFlags extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  InvalidFlags(List<String> violations) {
    super("invalid flags, nothing changed:\n  * " + String.join("\n  * ", violations));
  }
}
