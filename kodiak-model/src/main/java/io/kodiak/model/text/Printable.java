package io.kodiak.model.text;

/**
 * Makes text that came from outside safe to echo: control characters (and Unicode line and
 * paragraph separators) are escaped so one log event stays one line, and long values are cut so a
 * 900 KiB label does not come back whole. Stateless and thread-safe.
 */
public final class Printable {
  /** How much of an outside value an error response or a log line echoes. */
  public static final int ECHO_LIMIT = 256;

  private Printable() {}

  /**
   * {@code text} with control characters escaped ({@code \n}, {@code \u001b}), at most {@code max}
   * characters of it.
   */
  public static String escaped(CharSequence text, int max) {
    if (text == null) {
      return "null";
    }
    int end = Math.min(text.length(), max);
    StringBuilder out = null;
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      if (needsEscape(c)) {
        if (out == null) {
          out = new StringBuilder(end + 16).append(text, 0, i);
        }
        switch (c) {
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> out.append(String.format("\\u%04x", (int) c));
        }
      } else if (out != null) {
        out.append(c);
      }
    }
    String kept = out == null ? text.subSequence(0, end).toString() : out.toString();
    return end < text.length() ? kept + cutNote(text.length() - end) : kept;
  }

  /**
   * {@code text} cut to about {@code max} characters, nothing escaped. The middle goes, so both the
   * start and an explanation at the end survive ({@code invalid name "aaa...(9000 more)...": use
   * ...}).
   */
  public static String truncated(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    int head = max * 2 / 3;
    int tail = max - head;
    return text.substring(0, head)
        + cutNote(text.length() - max)
        + text.substring(text.length() - tail);
  }

  /** Whether {@code text} holds a character {@link #escaped} would change. */
  public static boolean hasControlCharacters(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      if (needsEscape(text.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static boolean needsEscape(char c) {
    return c < 0x20
        || c == 0x7f
        || (c >= 0x80 && c <= 0x9f)
        || c == '\u2028'
        || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069'); // bidi overrides reorder a line
  }

  private static String cutNote(int cut) {
    return "...(" + cut + " more characters)";
  }
}
