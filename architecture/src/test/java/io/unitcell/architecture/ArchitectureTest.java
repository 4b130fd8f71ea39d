package io.unitcell.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The architecture's rules, over the main classes of every module ({@code <module>/target/classes},
 * built before this module): no package cycles, the library at the bottom depends on no module of
 * ours, the main job and the benchmarks run on infra rather than on the test fixtures, no main code
 * uses a test library, and the CLI stays on the few jars of its own classpath.
 */
class ArchitectureTest {

  static final List<String> MODULES =
      List.of("topology", "infra", "testbed", "cell-app", "router", "operator", "local", "bench");

  static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    Path repository = Path.of(System.getProperty("unitcell.repository", ".."));
    ClassFileImporter importer = new ClassFileImporter();
    List<Path> classes =
        MODULES.stream().map(m -> repository.resolve(m).resolve("target/classes")).toList();
    for (Path dir : classes) {
      if (!Files.isDirectory(dir)) {
        throw new IllegalStateException(dir + " is missing: build every module before this one");
      }
    }
    main = importer.importPaths(classes);
  }

  @ParameterizedTest(name = "no package cycles in {0}")
  @CsvSource({
    "io.unitcell.topology",
    "io.unitcell.infra",
    "io.unitcell.testbed",
    "io.unitcell.cell",
    "io.unitcell.router",
    "io.unitcell.operator",
    "io.unitcell.local",
    "io.unitcell.bench"
  })
  void everyPackageOfAModuleIsFreeOfCycles(String root) {
    slices().assignedFrom(packagesOf(root)).should().beFreeOfCycles().check(main);
  }

  /** Every package below {@code root}, and {@code root} itself, as a slice of its own. */
  static SliceAssignment packagesOf(String root) {
    return new SliceAssignment() {
      @Override
      public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
        String name = javaClass.getPackageName();
        return name.equals(root) || name.startsWith(root + ".")
            ? SliceIdentifier.of(name)
            : SliceIdentifier.ignore();
      }

      @Override
      public String getDescription() {
        return "every package of " + root + " (parents and children apart)";
      }
    };
  }

  @Test
  void theModulesDependOnEachOtherWithoutCycles() {
    slices().matching("io.unitcell.(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void topologyDependsOnNoOtherModuleOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("io.unitcell.topology..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.unitcell.infra..",
            "io.unitcell.testbed..",
            "io.unitcell.cell..",
            "io.unitcell.router..",
            "io.unitcell.operator..",
            "io.unitcell.local..",
            "io.unitcell.bench..")
        .check(main);
  }

  @Test
  void theMainJobAndTheBenchmarksDoNotRunOnTheTestFixtures() {
    noClasses()
        .that()
        .resideInAnyPackage("io.unitcell.local..", "io.unitcell.bench..", "io.unitcell.infra..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.unitcell.testbed..")
        .check(main);
  }

  @Test
  void mainCodeUsesNoTestLibrary() {
    // the testbed is test code by purpose (JUnit extensions, kube-api-test): it is the exception
    noClasses()
        .that()
        .resideInAPackage("io.unitcell..")
        .and()
        .resideOutsideOfPackage("io.unitcell.testbed..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.junit..",
            "org.awaitility..",
            "org.assertj..",
            "net.jqwik..",
            "org.mockito..",
            "io.fabric8.kubeapitest..",
            "com.tngtech.archunit..")
        .check(main);
  }

  @Test
  void infraKnowsNothingOfWhatRunsOnIt() {
    noClasses()
        .that()
        .resideInAPackage("io.unitcell.infra..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.unitcell.cell..",
            "io.unitcell.router..",
            "io.unitcell.operator..",
            "io.unitcell.local..",
            "io.unitcell.bench..")
        .check(main);
  }

  /** The CLI's packages: {@code ./unitcell} runs them on {@code local/target/cli.classpath}. */
  static final String[] CLI =
      List.of(
              "cli",
              "control",
              "load",
              "verify",
              "acked",
              "token",
              "manifest",
              "state",
              "flashsale")
          .stream()
          .map(p -> "io.unitcell.local." + p + "..")
          .toArray(String[]::new);

  @Test
  void theCommandLineStaysOnTheJarsOfItsOwnClasspath() {
    // cli.classpath: topology, commons-codec, Jackson (+ YAML, SnakeYAML), Connector/J (found
    // through JDBC's service loader); the supervisor (local.platform) is its own JVM on target/lib
    List<String> allowed = new java.util.ArrayList<>(List.of(CLI));
    allowed.addAll(
        List.of(
            "java..",
            "javax.crypto..",
            "com.sun.net.httpserver..",
            "com.fasterxml.jackson..",
            "io.unitcell.topology.."));
    classes()
        .that()
        .resideInAnyPackage(CLI)
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(allowed.toArray(String[]::new))
        .check(main);
    classes()
        .that()
        .resideInAPackage("io.unitcell.topology..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "io.unitcell.topology..",
            "com.fasterxml.jackson..",
            "org.apache.commons.codec..")
        .check(main);
  }
}
