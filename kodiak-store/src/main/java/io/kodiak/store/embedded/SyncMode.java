package io.kodiak.store.embedded;

/** How each commit reaches the disk (SQLite's {@code synchronous} setting in WAL mode). */
public enum SyncMode {
  /**
   * fsync on every commit: an accepted write survives a crash of the process and of the machine.
   */
  FULL,
  /**
   * fsync at checkpoints: survives a crash of the process; the last writes may be lost on power
   * loss.
   */
  NORMAL
}
