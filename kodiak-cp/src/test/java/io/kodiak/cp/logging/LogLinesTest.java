package io.kodiak.cp.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

class LogLinesTest {
  private final LoggerContext context = new LoggerContext();

  @Test
  void aMessageIsOneLineOfBoundedLengthWhateverItsArgumentsHold() {
    LoggingEvent event =
        event(
            "io.kodiak.cp.dpserver.DpServer",
            Level.INFO,
            "bootstrap refused: {}",
            "name: invalid name \"a\n2026-12-01T00:00:00.000Z INFO  [ControlPlane] FORGED\""
                + "x".repeat(10_000));
    String line = new SingleLineMessage().convert(event);
    assertThat(line)
        .doesNotContain("\n")
        .contains("\"a\\n2026-12-01T00:00:00.000Z INFO  [ControlPlane] FORGED\"")
        .endsWith("more characters)");
    assertThat(line.length()).isLessThan(SingleLineMessage.MAX_CHARACTERS + 64);
  }

  @Test
  void onlyTheCacheRaceOfAnEndedStreamIsDropped() {
    BenignXdsRaces filter = new BenignXdsRaces();
    assertThat(
            filter.decide(
                event(
                    BenignXdsRaces.CACHE_LOGGER,
                    Level.ERROR,
                    "failed to respond for {} from node {} with version {} because watch was already cancelled",
                    "x")))
        .isEqualTo(FilterReply.DENY);
    assertThat(
            filter.decide(
                event(
                    BenignXdsRaces.CACHE_LOGGER,
                    Level.WARN,
                    "tried to clear snapshot for group with existing watches, group={}",
                    "x")))
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(
            filter.decide(
                event(
                    "io.kodiak.cp.ControlPlane",
                    Level.ERROR,
                    "because watch was already cancelled",
                    "x")))
        .isEqualTo(FilterReply.NEUTRAL);
  }

  private LoggingEvent event(String logger, Level level, String template, Object argument) {
    return new LoggingEvent(
        "test", context.getLogger(logger), level, template, null, new Object[] {argument});
  }
}
