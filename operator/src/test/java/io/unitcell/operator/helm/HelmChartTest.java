package io.unitcell.operator.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.testbed.TestbedBinaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The chart lints and renders with the testbed's Helm; its RBAC stays least-privilege. */
public class HelmChartTest {

  public static final Path CHART = Path.of("..", "helm", "unitcell").toAbsolutePath().normalize();

  public record Result(int exitCode, String output) {}

  public static Result helm(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(TestbedBinaries.locate().helm().toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(180, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  @Test
  void theChartLints() throws Exception {
    Result lint = helm("lint", CHART.toString());
    assertThat(lint.exitCode()).as(lint.output()).isZero();
    assertThat(lint.output()).contains("0 chart(s) failed");
  }

  @Test
  void theChartRendersTheOperatorWithLeastPrivilege() throws Exception {
    Result rendered =
        helm(
            "template",
            "demo",
            CHART.toString(),
            "--namespace",
            "unitcell-system",
            "--include-crds");
    assertThat(rendered.exitCode()).as(rendered.output()).isZero();
    String yaml = rendered.output();
    assertThat(yaml)
        .contains("kind: \"CustomResourceDefinition\"")
        .contains("name: \"topologies.unitcell.io\"")
        .contains("name: \"cells.unitcell.io\"")
        .contains("kind: ServiceAccount")
        .contains("kind: ClusterRoleBinding")
        .contains("kind: Deployment")
        .contains("serviceAccountName: demo-operator")
        .contains("image: \"unitcell/operator:0.1.0\"");
    String clusterRole =
        yaml.substring(
            yaml.indexOf("kind: ClusterRole\n"), yaml.indexOf("kind: ClusterRoleBinding"));
    assertThat(clusterRole)
        .doesNotContain("secrets")
        .doesNotContain("\"*\"")
        .doesNotContain("pods");
  }
}
