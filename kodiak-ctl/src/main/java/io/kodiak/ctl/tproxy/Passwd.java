package io.kodiak.ctl.tproxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * User names to uids from a passwd file ({@code name:x:uid:...}). The init container's image is
 * where the name must exist; no NSS (LDAP and such) there, so the file is the whole truth.
 */
final class Passwd {
  static final Path SYSTEM = Path.of("/etc/passwd");

  private Passwd() {}

  /** The user's uid, or null when the file has no such user (or no file). */
  static Integer uidOf(String user, Path passwd) {
    try {
      for (String line : Files.readAllLines(passwd, StandardCharsets.UTF_8)) {
        String[] fields = line.split(":", -1);
        if (fields.length > 2 && fields[0].equals(user)) {
          try {
            return Integer.valueOf(fields[2]);
          } catch (NumberFormatException e) {
            throw new IllegalStateException(passwd + ": user " + user + " has no numeric uid", e);
          }
        }
      }
      return null;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + passwd, e);
    }
  }
}
