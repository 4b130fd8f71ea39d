package io.unitcell.operator.crds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRDs checked in under crds/ and helm/unitcell/crds/ are exactly what the Java types generate
 * (at package time, into target/kubernetes/). After changing a type: operator/update-crds.sh.
 */
class CrdsUpToDateIT {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @ParameterizedTest
  @ValueSource(strings = {"topologies.unitcell.io-v1.yml", "cells.unitcell.io-v1.yml"})
  void checkedInCopiesMatchTheGeneratedCrd(String crd) throws IOException {
    String generated = Files.readString(Path.of("target/kubernetes", crd));
    for (Path copy :
        new Path[] {
          ROOT.resolve("crds").resolve(crd), ROOT.resolve("helm/unitcell/crds").resolve(crd)
        }) {
      assertThat(Files.exists(copy)).as(copy + " exists (run operator/update-crds.sh)").isTrue();
      assertThat(Files.readString(copy))
          .as(copy + " is stale: run operator/update-crds.sh and commit the result")
          .isEqualTo(generated);
    }
  }
}
