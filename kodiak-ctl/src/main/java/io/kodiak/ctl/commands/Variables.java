package io.kodiak.ctl.commands;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Replaces {@code {{ name }}} placeholders with values given by {@code -v name=value}. */
final class Variables {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

  private Variables() {}

  static String substitute(String text, Map<String, String> values, String source) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
        throw new IllegalArgumentException(
            source
                + " line "
                + line
                + ": variable \""
                + m.group(1)
                + "\" has no value; pass it with -v "
                + m.group(1)
                + "=VALUE");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
