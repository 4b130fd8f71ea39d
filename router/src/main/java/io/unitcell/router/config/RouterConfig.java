package io.unitcell.router.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** The router's settings ({@code unitcell.router.*}); defaults are in application.properties. */
@ConfigMapping(prefix = "unitcell.router")
public interface RouterConfig {

  /** Port of the proxy (user traffic). The admin API and metrics are on quarkus.http.port. */
  int port();

  /** Address the proxy binds to. */
  @WithDefault("0.0.0.0")
  String host();

  /** Proxy event loops (one server and one client pool each); unset = one per core. */
  OptionalInt eventLoops();

  /** Where the user id comes from: a verified JWT, or (development only) a plain header. */
  AuthMode auth();

  /** Header carrying the user id in {@link AuthMode#HEADER} mode, and towards the cells. */
  @WithDefault("X-User-Id")
  String userHeader();

  /** Shared secret sent to the cells in {@code X-Unitcell-Router-Secret} (cells refuse others). */
  Optional<String> secret();

  Jwt jwt();

  Table table();

  Upstream upstream();

  Fenced fenced();

  Health health();

  Limits limits();

  Block block();

  /** Identity source. */
  enum AuthMode {
    /** {@code Authorization: Bearer <JWT>}, HS256 or RS256, the user is {@code sub}. */
    JWT,
    /** Development only: the user id header is trusted as it comes. */
    HEADER
  }

  /** JWT verification. */
  interface Jwt {
    /** HS256 key: the secret's UTF-8 bytes, or {@code base64:<key>}. */
    Optional<String> hs256Secret();

    /** RS256 public keys: PEM files ({@code -----BEGIN PUBLIC KEY-----}). */
    Optional<List<String>> rs256PublicKeyFiles();

    /** Required {@code iss}, when set. */
    Optional<String> issuer();

    /** Required {@code aud} (string or one of an array), when set. */
    Optional<String> audience();

    /** Tolerated clock difference for {@code exp} and {@code nbf}. */
    @WithDefault("30s")
    Duration clockSkew();

    /** Verified tokens remembered (their signature is not checked again until they expire). */
    @WithDefault("100000")
    int cacheSize();
  }

  /** Routing table source: a file (local runtime, mounted ConfigMap) or a ConfigMap watch. */
  interface Table {
    /** JSON file with the table, polled. */
    Optional<String> file();

    /** How often the file is looked at (a 421 from a cell also triggers a read). */
    @WithDefault("1s")
    Duration poll();

    /** ConfigMap to watch, as {@code namespace/name}. */
    Optional<String> configmap();

    /** Key of the ConfigMap holding the table JSON. */
    @WithDefault("routing-table.json")
    String configmapKey();
  }

  /** Connections to the cells. */
  interface Upstream {
    /** Longer than the cell's worst request (4.1 s: a 2 s write budget, one retry). */
    @WithDefault("5s")
    Duration timeout();

    @WithDefault("1s")
    Duration connectTimeout();

    /** Keep-alive connections per endpoint and event loop. */
    @WithDefault("64")
    int poolSize();

    /** Requests waiting for a pooled connection per endpoint and event loop; more get 503. */
    @WithDefault("1024")
    int waitQueue();

    /** Largest request body accepted (413 above). */
    @WithDefault("64K")
    MemorySize maxBodySize();

    /** Consecutive connection failures or timeouts that eject an endpoint. */
    @WithDefault("3")
    int ejectAfter();

    /** First ejection time; each further ejection in a row doubles it, up to 8 times. */
    @WithDefault("10s")
    Duration ejectFor();
  }

  /** Writes to fenced cells (a switchover is moving them). */
  interface Fenced {
    /** How long a write is held waiting for a table where its cell serves again. */
    @WithDefault("4s")
    Duration hold();

    /** Writes held at once (per router); more get 503 at once. */
    @WithDefault("512")
    int maxHeld();
  }

  /** Active health checks of every endpoint in the table. */
  interface Health {
    @WithDefault("/q/health/ready")
    String path();

    @WithDefault("2s")
    Duration interval();

    @WithDefault("1s")
    Duration timeout();

    /** Failed checks in a row before an endpoint is taken out. */
    @WithDefault("2")
    int unhealthyAfter();
  }

  /** Token buckets; a rate of 0 means no limit. */
  interface Limits {
    /** Requests per second per user. */
    @WithDefault("50")
    double userRate();

    @WithDefault("100")
    int userBurst();

    /** Requests per second per cell, unless {@link #cellRates} names the cell. */
    @WithDefault("0")
    double cellRate();

    /** Burst per cell; 0 = one second of its rate. */
    @WithDefault("0")
    int cellBurst();

    /** Per-cell rates as {@code cell=rate} entries, e.g. {@code cell-1=5000,cell-2=2500}. */
    Optional<List<String>> cellRates();
  }

  /** Requests refused with 403. Both lists can be changed at run time through the admin API. */
  interface Block {
    Optional<List<String>> users();

    /** Addresses or CIDR ranges (IPv4 or IPv6) of clients. */
    Optional<List<String>> ips();
  }
}
