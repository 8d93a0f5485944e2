package io.kodiak.e2e.kubernetes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real processes joined by pipes, as a shell runs {@code a | b | c}; for one test at a time. */
final class Pipeline {
  private Pipeline() {}

  /**
   * @param out the last process's standard output
   * @param errors every process's standard error, in order
   */
  record Result(List<Integer> exitCodes, String out, String errors) {}

  @SafeVarargs
  static Result run(Path dir, List<String>... commands) throws IOException, InterruptedException {
    List<ProcessBuilder> builders = new ArrayList<>();
    List<Path> errors = new ArrayList<>();
    for (List<String> command : commands) {
      Path err = Files.createTempFile(dir, "pipeline", ".err");
      errors.add(err);
      ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
      builder.environment().put("HOME", dir.toString()); // kodiakctl's ~ is not the user's
      builders.add(builder);
    }
    List<Process> processes = ProcessBuilder.startPipeline(builders);
    processes.get(0).getOutputStream().close();
    Process last = processes.get(processes.size() - 1);
    String out = new String(last.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    List<Integer> codes = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < processes.size(); i++) {
      Process process = processes.get(i);
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(commands[i].get(0) + " did not finish in 120 s");
      }
      codes.add(process.exitValue());
      text.append(commands[i].get(0)).append(": ").append(Files.readString(errors.get(i)));
    }
    return new Result(codes, out, text.toString());
  }
}
