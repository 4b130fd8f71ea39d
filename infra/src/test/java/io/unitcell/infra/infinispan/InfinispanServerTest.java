package io.unitcell.infra.infinispan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.infinispan.client.hotrod.configuration.ConfigurationBuilder;
import org.infinispan.commons.configuration.StringConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfinispanServerTest {

  @TempDir Path home;

  @Test
  void servesHotRodAndKeepsPersistentCachesAcrossARestart() {
    try (InfinispanServer server = InfinispanServer.start(home);
        RemoteCacheManager client = client(server)) {
      RemoteCache<String, String> durable =
          client
              .administration()
              .getOrCreateCache(
                  "durable",
                  new StringConfiguration(
                      "<local-cache><persistence><file-store/></persistence></local-cache>"));
      RemoteCache<String, String> volatileCache =
          client
              .administration()
              .getOrCreateCache("volatile", new StringConfiguration("<local-cache/>"));
      durable.put("k", "kept");
      volatileCache.put("k", "gone");

      server.stop();
      assertThat(server.isRunning()).isFalse();
      assertThatThrownBy(() -> durable.get("k")).isInstanceOf(RuntimeException.class);

      server.start();
      assertThat(server.isRunning()).isTrue();
      assertThat(durable.get("k")).isEqualTo("kept");
      assertThat(client.getCache("volatile").get("k")).isNull();
    }
  }

  private static RemoteCacheManager client(InfinispanServer server) {
    ConfigurationBuilder config = new ConfigurationBuilder();
    // generous: creating a persistent cache on a busy 2-core machine can take seconds
    config.addServers(server.hosts()).socketTimeout(15_000).connectionTimeout(5_000).maxRetries(1);
    return new RemoteCacheManager(config.build());
  }
}
