package io.unitcell.testbed;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.unitcell.infra.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real Kubernetes control plane on this machine.
 *
 * <ul>
 *   <li>Tier 1: etcd + kube-apiserver, through io.fabric8:kube-api-test with the binaries of {@code
 *       testbed/build.sh}: CRD schemas and CEL, server-side apply, status subresources.
 *   <li>Tier 2: plus kube-controller-manager, kube-scheduler and one KWOK per zone managing fake
 *       nodes labelled {@code topology.kubernetes.io/zone}: Deployments get Running pods, garbage
 *       collection works, and a zone outage is its KWOK stopping (its "kubelets" stop
 *       heartbeating), so the node lifecycle controller marks its nodes and pods not ready.
 * </ul>
 *
 * Logs of every process stay in {@link #directory()} under {@code target/testbed/}.
 */
public final class KubeTestbed implements AutoCloseable {

  /** The zone label every fake node carries. */
  public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  // KWOK renews node leases every lease/4 s; the node controller calls a node lost after the grace
  // period without renewal. Small values make a zone outage visible within ~15 s.
  private static final int NODE_LEASE_SECONDS = 8;
  private static final String NODE_MONITOR_GRACE_PERIOD = "15s";

  private final TestbedBinaries binaries;
  private final Path directory;
  private final KubeAPIServer apiServer;
  private final Path kubeconfig;
  private final KubernetesClient client;
  private final Map<String, ManagedProcess> processes = new LinkedHashMap<>();
  private final Map<String, ManagedProcess> kwokByZone = new ConcurrentHashMap<>();
  private final List<String> zones = new ArrayList<>();
  private final Duration startup;

  private KubeTestbed(TestbedBinaries binaries, Path directory, Options options) {
    long started = System.nanoTime();
    this.binaries = binaries;
    this.directory = directory;
    this.apiServer =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(binaries.kubeApiTestDir().toString())
                .withApiServerVersion(binaries.kubernetesVersion())
                .withOfflineMode(true)
                .withStartupTimeout((int) START_TIMEOUT.toMillis())
                .build());
    try {
      apiServer.start();
      this.kubeconfig = directory.resolve("kubeconfig.yaml");
      Files.writeString(kubeconfig, apiServer.getKubeConfigYaml(), StandardCharsets.UTF_8);
      this.client =
          new KubernetesClientBuilder()
              .withConfig(Config.fromKubeconfig(apiServer.getKubeConfigYaml()))
              .build();
      log(
          "tier 1 (etcd + kube-apiserver "
              + binaries.kubernetesVersion()
              + ") up in "
              + since(started));
      if (options.tier2()) {
        startTier2(options);
        log(
            "tier 2 (controller-manager, scheduler, KWOK, "
                + client.nodes().list().getItems().size()
                + " nodes in "
                + zones
                + ") up in "
                + since(started));
      }
    } catch (RuntimeException | IOException e) {
      close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    this.startup = Duration.ofNanos(System.nanoTime() - started);
  }

  /** What to start. */
  public record Options(boolean tier2, List<String> zones, int nodesPerZone) {
    public Options {
      zones = List.copyOf(zones);
    }
  }

  /** Tier 1: etcd and kube-apiserver. */
  public static KubeTestbed startTier1() {
    return new KubeTestbed(
        TestbedBinaries.locate(),
        TestbedLogs.newRunDirectory("kube-tier1"),
        new Options(false, List.of(), 0));
  }

  /** Tier 2 with {@code nodesPerZone} fake nodes in each zone. */
  public static KubeTestbed startTier2(List<String> zones, int nodesPerZone) {
    return new KubeTestbed(
        TestbedBinaries.locate(),
        TestbedLogs.newRunDirectory("kube-tier2"),
        new Options(true, zones, nodesPerZone));
  }

  /** A client with cluster-admin rights. */
  public KubernetesClient client() {
    return client;
  }

  /** A kubeconfig file with cluster-admin rights, for kubectl, helm and other processes. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** Where the logs of this testbed's processes are kept. */
  public Path directory() {
    return directory;
  }

  /** How long {@code start} took. */
  public Duration startup() {
    return startup;
  }

  public TestbedBinaries binaries() {
    return binaries;
  }

  public List<String> zones() {
    return List.copyOf(zones);
  }

  /**
   * Runs kubectl against this cluster and returns its standard output; fails on a non-zero exit.
   */
  public String kubectl(String... args) {
    return kubectlWithInput(null, args);
  }

  /** Runs kubectl with {@code stdin} as its input (e.g. {@code apply -f -}). */
  public String kubectlWithInput(String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binaries.kubernetes("kubectl").toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    return run(command, stdin);
  }

  /** The fake nodes of a zone. */
  public List<Node> nodesInZone(String zone) {
    return client.nodes().withLabel(ZONE_LABEL, zone).list().getItems();
  }

  /**
   * Takes a zone down as a real outage would: its KWOK (the zone's "kubelets") stops, its nodes
   * stop heartbeating, and the node lifecycle controller marks them NotReady and their pods not
   * ready within about {@value #NODE_MONITOR_GRACE_PERIOD}. Returns at once; observe the effect
   * through the API.
   */
  public void takeZoneDown(String zone) {
    requireTier2Zone(zone);
    ManagedProcess kwok = kwokByZone.remove(zone);
    if (kwok != null) {
      kwok.kill();
      log("zone " + zone + " down (its KWOK stopped)");
    }
  }

  /** Brings a zone back: its KWOK starts again and marks its nodes Ready. */
  public void bringZoneUp(String zone) {
    requireTier2Zone(zone);
    kwokByZone.computeIfAbsent(zone, this::startKwok);
    log("zone " + zone + " up (its KWOK started)");
  }

  /** Waits until the CRD {@code name} is Established (its conditions may be missing at first). */
  public static void awaitEstablished(KubernetesClient client, String name) {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(name)
        .waitUntilCondition(
            crd ->
                crd.getStatus() != null
                    && crd.getStatus().getConditions() != null
                    && crd.getStatus().getConditions().stream()
                        .anyMatch(
                            c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())),
            30,
            java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Whether a node's Ready condition is True. */
  public static boolean isReady(Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .filter(c -> "Ready".equals(c.getType()))
            .map(NodeCondition::getStatus)
            .anyMatch("True"::equals);
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
    kwokByZone.values().forEach(ManagedProcess::close);
    List<ManagedProcess> reversed = new ArrayList<>(processes.values());
    java.util.Collections.reverse(reversed);
    reversed.forEach(ManagedProcess::close);
    apiServer.stop();
  }

  private void startTier2(Options options) {
    zones.addAll(options.zones());
    Map<String, String> noEnv = Map.of();
    int cmPort = ManagedProcess.freePort();
    ManagedProcess controllerManager =
        ManagedProcess.start(
            "kube-controller-manager",
            List.of(
                binaries.kubernetes("kube-controller-manager").toString(),
                "--kubeconfig=" + kubeconfig,
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                "--secure-port=" + cmPort,
                "--use-service-account-credentials=false",
                "--node-monitor-period=2s",
                "--node-monitor-grace-period=" + NODE_MONITOR_GRACE_PERIOD,
                "--node-startup-grace-period=20s",
                "--concurrent-deployment-syncs=5",
                "--concurrent-gc-syncs=10",
                "--v=1"),
            directory,
            noEnv,
            directory);
    processes.put(controllerManager.name(), controllerManager);
    int schedulerPort = ManagedProcess.freePort();
    ManagedProcess scheduler =
        ManagedProcess.start(
            "kube-scheduler",
            List.of(
                binaries.kubernetes("kube-scheduler").toString(),
                "--kubeconfig=" + kubeconfig,
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                "--secure-port=" + schedulerPort,
                "--v=1"),
            directory,
            noEnv,
            directory);
    processes.put(scheduler.name(), scheduler);
    for (String zone : zones) {
      kwokByZone.put(zone, startKwok(zone));
      for (int i = 0; i < options.nodesPerZone(); i++) {
        client.nodes().resource(fakeNode(zone, i)).create();
      }
    }
    controllerManager.awaitReady(START_TIMEOUT, () -> healthy(cmPort));
    scheduler.awaitReady(START_TIMEOUT, () -> healthy(schedulerPort));
    for (String zone : zones) {
      kwokByZone
          .get(zone)
          .awaitReady(
              START_TIMEOUT, () -> nodesInZone(zone).stream().allMatch(KubeTestbed::isReady));
    }
  }

  private ManagedProcess startKwok(String zone) {
    return ManagedProcess.start(
        "kwok-" + zone,
        List.of(
            binaries.kwok().toString(),
            "--kubeconfig=" + kubeconfig,
            "--manage-all-nodes=false",
            "--manage-nodes-with-label-selector=" + ZONE_LABEL + "=" + zone,
            "--node-lease-duration-seconds=" + NODE_LEASE_SECONDS,
            "--cidr=10.244." + (zones.indexOf(zone) + 1) + ".0/24",
            "--node-ip=127.0.0.1",
            "--server-address=127.0.0.1:" + ManagedProcess.freePort()),
        directory,
        Map.of(),
        directory.resolve("kwok-" + zone));
  }

  private static Node fakeNode(String zone, int index) {
    String name = "node-" + zone + "-" + index;
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(ZONE_LABEL, zone)
        .addToLabels("kubernetes.io/hostname", name)
        .addToLabels("kubernetes.io/os", "linux")
        .addToLabels("kubernetes.io/arch", "amd64")
        .addToLabels("type", "kwok")
        .addToAnnotations("kwok.x-k8s.io/node", "fake")
        .endMetadata()
        .withNewStatus()
        .addToAllocatable("cpu", new Quantity("32"))
        .addToAllocatable("memory", new Quantity("256Gi"))
        .addToAllocatable("pods", new Quantity("110"))
        .addToCapacity("cpu", new Quantity("32"))
        .addToCapacity("memory", new Quantity("256Gi"))
        .addToCapacity("pods", new Quantity("110"))
        .endStatus()
        .build();
  }

  private void requireTier2Zone(String zone) {
    if (!zones.contains(zone)) {
      throw new IllegalArgumentException(
          "no zone " + zone + " in this testbed (zones: " + zones + ")");
    }
  }

  private static final HttpClient INSECURE_LOCAL_HTTP = insecureLocalHttp();

  // the control-plane components serve /healthz on loopback with a self-signed certificate
  private static boolean healthy(int port) throws IOException, InterruptedException {
    HttpResponse<String> response =
        INSECURE_LOCAL_HTTP.send(
            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/healthz"))
                .timeout(Duration.ofSeconds(2))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200;
  }

  private static HttpClient insecureLocalHttp() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      TrustManager trustAll =
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          };
      context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
      return HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .sslContext(context)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private String run(List<String> command, String stdin) {
    try {
      Path stderr = Files.createTempFile(directory, "kubectl", ".err");
      Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
      try (var in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int code = process.waitFor();
      String err = Files.readString(stderr);
      Files.delete(stderr);
      if (code != 0) {
        throw new IllegalStateException(
            "kubectl "
                + String.join(" ", command.subList(2, command.size()))
                + " exited "
                + code
                + ": "
                + err
                + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String since(long startedNanos) {
    return String.format("%.1f s", (System.nanoTime() - startedNanos) / 1e9);
  }

  private static void log(String message) {
    System.out.println("[testbed] " + message);
  }
}
