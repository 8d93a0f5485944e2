package io.kodiak.e2e.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.ctl.KodiakCtl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kodiakctl against a running control plane, through its real HTTP API. */
class KodiakCtlTest {
  @TempDir static Path dir;
  static RunningControlPlane cp;
  static Path contexts;

  @BeforeAll
  static void start() throws Exception {
    cp = RunningControlPlane.start(dir.resolve("cp"));
    contexts = dir.resolve("ctl/config");
    Files.createDirectories(contexts.getParent());
    CliResult added =
        ctl(
            "config",
            "control-planes",
            "add",
            "--name",
            "test",
            "--address",
            cp.url(),
            "--auth-token-file",
            cp.dataDir().resolve("admin-token").toString());
    assertThat(added.exitCode()).as(added.err()).isZero();
  }

  @AfterAll
  static void stop() {
    cp.close();
  }

  static CliResult ctl(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "--config-file";
    all[1] = contexts.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    int code = KodiakCtl.execute(new PrintWriter(out, true), new PrintWriter(err, true), all);
    return new CliResult(code, out.toString(), err.toString());
  }

  @Test
  void applyTheDocsExamplesThenGetThem() {
    CliResult applied = ctl("apply", "-f", "../docs/examples/");
    assertThat(applied.exitCode()).as(applied.err()).isZero();
    // Other tests may have applied the examples first, so each line says created or configured.
    assertThat(applied.out())
        .containsPattern("Mesh \"tour\" (created|configured)")
        .containsPattern(
            "MeshTimeout \"timeouts-backend\" in mesh \"default\" (created|configured)");

    CliResult yaml = ctl("get", "meshtimeouts", "-o", "yaml");
    assertThat(yaml.exitCode()).isZero();
    assertThat(yaml.out())
        .contains("name: timeouts-all")
        .contains("requestTimeout: 2s")
        .contains("total: 3");

    CliResult table = ctl("get", "meshtimeouts");
    assertThat(table.out().lines().findFirst().orElseThrow())
        .matches("MESH\\s+NAME\\s+TARGETREF\\s+AGE");
    assertThat(table.out()).contains("timeouts-backend").contains("mesh-timeout-all-default");
    assertThat(ctl("get", "meshtimeouts", "--mesh", "tour").out())
        .contains("mesh-timeout-all-tour");

    CliResult again = ctl("apply", "-f", "../docs/examples/10-meshtimeouts.yaml");
    assertThat(again.out()).contains("MeshTimeout \"timeouts-all\" in mesh \"default\" configured");
  }

  @Test
  void getOneResourceInEachFormat() {
    ctl("apply", "-f", "../docs/examples/");
    CliResult json = ctl("get", "meshtimeout", "timeouts-all", "-o", "json");
    assertThat(json.exitCode()).isZero();
    assertThat(json.out()).contains("\"type\" : \"MeshTimeout\"");
    CliResult meshes = ctl("get", "meshes");
    assertThat(meshes.out().lines().findFirst().orElseThrow())
        .matches("NAME\\s+mTLS\\s+METRICS\\s+LOGGING\\s+TRACING\\s+AGE");
    assertThat(meshes.out()).contains("default").containsPattern("tour\\s+builtin/ca-1\\s+off");
    CliResult dataplanes = ctl("get", "dataplanes");
    assertThat(dataplanes.out()).contains("kuma.io/service=backend");
  }

  @Test
  void aBadFileIsRefusedWithEveryViolationAndNothingStored() {
    ctl("apply", "-f", "../docs/examples/00-mesh.yaml");
    CliResult bad = ctl("apply", "-f", "../docs/bad-examples/broken-timeout.yaml");
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.err())
        .contains("document 1 in ../docs/bad-examples/broken-timeout.yaml (MeshTimeout \"broken\")")
        .contains("* spec.targetRef.name: must not be set with kind Mesh")
        .contains("* spec.to[0].targetRef.name: must be defined")
        .contains("* spec.to[0].default.connectionTimeout: must not be negative")
        .contains("* spec.to[0].default.idleTimeout: must be a valid duration")
        .contains("* spec.to[0].default.http.requestTimeout: must be a string");
    assertThat(ctl("get", "meshtimeout", "broken").exitCode()).isEqualTo(1);
  }

  @Test
  void multiDocumentErrorsSayWhichDocument() throws Exception {
    Path file = dir.resolve("multi.yaml");
    Files.writeString(
        file,
        """
        type: Mesh
        name: multi
        ---
        type: MeshRetry
        mesh: multi
        name: ok
        spec:
          to:
            - targetRef: {kind: Mesh}
              default: {http: {numRetries: 2}}
        ---
        type: MeshRetry
        mesh: multi
        name: bad
        spec:
          to:
            - targetRef: {kind: Mesh}
              default: {http: {perTryTimeout: 0s}}
        """);
    CliResult result = ctl("apply", "-f", file.toString());
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).contains("MeshRetry \"ok\" in mesh \"multi\" created");
    assertThat(result.err())
        .contains("document 3 in " + file + " (MeshRetry \"bad\")")
        .contains("spec.to[0].default.http.perTryTimeout: must be greater than zero");
  }

  @Test
  void variablesAreSubstitutedAndDryRunChangesNothing() throws Exception {
    Path file = dir.resolve("template.yaml");
    Files.writeString(file, "type: Mesh\nname: {{ meshName }}\n");
    CliResult dry = ctl("apply", "--dry-run", "-f", file.toString(), "-v", "meshName=templated");
    assertThat(dry.exitCode()).isZero();
    assertThat(dry.out()).contains("name: templated");
    assertThat(ctl("get", "mesh", "templated").exitCode()).isEqualTo(1);
    assertThat(ctl("apply", "-f", file.toString(), "-v", "meshName=templated").exitCode()).isZero();
    assertThat(ctl("get", "mesh", "templated").exitCode()).isZero();
    CliResult missing = ctl("apply", "-f", file.toString());
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("variable \"meshName\" has no value");
  }

  @Test
  void applyReadsStandardInput() {
    var original = System.in;
    try {
      System.setIn(
          new java.io.ByteArrayInputStream(
              "type: Mesh\nname: from-stdin\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      CliResult result = ctl("apply", "-f", "-");
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out()).contains("Mesh \"from-stdin\" created");
    } finally {
      System.setIn(original);
    }
    assertThat(ctl("get", "mesh", "from-stdin").exitCode()).isZero();
  }

  @Test
  void malformedYamlAndUnknownTypesFail() throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "type: Mesh\nname: [unclosed\n");
    CliResult broken = ctl("apply", "-f", file.toString());
    assertThat(broken.exitCode()).isEqualTo(1);
    assertThat(broken.err()).contains("does not parse at line");
    CliResult unknown = ctl("get", "widgets");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err())
        .contains("unknown resource type \"widgets\"")
        .contains("meshtimeouts");
  }

  @Test
  void deleteRemovesAndMissingIsAnError() {
    ctl("apply", "-f", "../docs/examples/");
    CliResult deleted = ctl("delete", "meshtrafficpermission", "frontend-to-backend");
    assertThat(deleted.exitCode()).as(deleted.err()).isZero();
    CliResult again = ctl("delete", "meshtrafficpermission", "frontend-to-backend");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("does not exist");
  }

  @Test
  void contextsCanBeListedSwitchedAndRemoved() {
    assertThat(
            ctl(
                    "config",
                    "control-planes",
                    "add",
                    "--name",
                    "other",
                    "--address",
                    "http://127.0.0.1:1",
                    "--skip-verify")
                .exitCode())
        .isZero();
    CliResult unreachable = ctl("get", "meshes");
    assertThat(unreachable.exitCode()).isEqualTo(1);
    assertThat(unreachable.err()).contains("cannot reach the control plane at http://127.0.0.1:1");
    assertThat(ctl("config", "control-planes", "switch", "--name", "test").exitCode()).isZero();
    CliResult list = ctl("config", "control-planes", "list");
    assertThat(list.out())
        .containsPattern("\\*\\s+test\\s+" + java.util.regex.Pattern.quote(cp.url()));
    assertThat(ctl("config", "control-planes", "remove", "--name", "other").exitCode()).isZero();
    assertThat(ctl("config", "control-planes", "switch", "--name", "other").exitCode())
        .isEqualTo(1);
    assertThat(ctl("get", "meshes").exitCode()).isZero();
  }

  @Test
  void writesWithoutTheTokenAreRefused() throws Exception {
    Path anonymous = dir.resolve("anon/config");
    Files.createDirectories(anonymous.getParent());
    StringWriter err = new StringWriter();
    int added =
        KodiakCtl.execute(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err),
            "--config-file",
            anonymous.toString(),
            "config",
            "control-planes",
            "add",
            "--name",
            "anon",
            "--address",
            cp.url());
    assertThat(added).isZero();
    int code =
        KodiakCtl.execute(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err, true),
            "--config-file",
            anonymous.toString(),
            "apply",
            "-f",
            "../docs/examples/00-mesh.yaml");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("needs the admin token");
  }

  @Test
  void versionReportsBothSides() {
    CliResult version = ctl("version");
    assertThat(version.exitCode()).isZero();
    assertThat(version.out()).contains("Client: Kodiak").contains("Control plane: Kodiak");
  }

  @Test
  void inspectExplainsWhichPolicySetEachValue() throws Exception {
    ctl("apply", "-f", "../docs/examples/10-meshtimeouts.yaml");
    Path web = dir.resolve("web-1.yaml");
    java.nio.file.Files.writeString(
        web,
        """
        type: Dataplane
        mesh: default
        name: web-1
        networking:
          address: 127.0.0.1
          inbound:
            - port: 20011
              servicePort: 8081
              tags: {kuma.io/service: web, kuma.io/protocol: http}
          outbound:
            - port: 10011
              tags: {kuma.io/service: backend}
        """);
    assertThat(ctl("apply", "-f", web.toString()).exitCode()).isZero();

    CliResult rules = ctl("inspect", "dataplane", "web-1", "--type", "rules");
    assertThat(rules.exitCode()).as(rules.err()).isZero();
    assertThat(rules.out())
        .contains("MeshTimeout")
        .contains("to kuma.io/service=backend:")
        .containsPattern("http\\.requestTimeout\\s+= 2s\\s+\\(set by timeouts-backend\\)")
        // equally specific (Mesh) policies: the name that sorts first wins, as in Kuma
        .containsPattern("connectionTimeout\\s+= 5s\\s+\\(set by mesh-timeout-all-default\\)");
    assertThat(ctl("inspect", "dataplane", "web-1", "--type", "rules", "-o", "json").out())
        .contains("\"valueOrigins\"");
    assertThat(ctl("inspect", "dataplane", "web-1", "--type", "policies").out())
        .contains("\"policies\"");

    CliResult selected = ctl("inspect", "meshtimeout", "timeouts-backend");
    assertThat(selected.exitCode()).as(selected.err()).isZero();
    assertThat(selected.out())
        .contains("MeshTimeout timeouts-backend selects")
        .containsPattern("default\\s+web-1");
    CliResult notPolicy = ctl("inspect", "meshes", "default");
    assertThat(notPolicy.exitCode()).isNotZero();
    assertThat(notPolicy.err()).contains("is not a policy");
  }
}
