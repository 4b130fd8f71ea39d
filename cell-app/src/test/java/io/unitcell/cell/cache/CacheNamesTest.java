package io.unitcell.cell.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CacheNamesTest {

  @Test
  void everyCacheHasTheServerConfigurationItIsCreatedWith() throws IOException {
    Properties config = new Properties();
    try (InputStream in = CacheNamesTest.class.getResourceAsStream("/application.properties")) {
      config.load(in);
    }

    assertThat(CacheNames.ALL)
        .allSatisfy(
            name ->
                assertThat(
                        config.getProperty(
                            "quarkus.infinispan-client.cache." + name + ".configuration"))
                    .as("configuration of cache %s", name)
                    .isNotBlank());
  }
}
