package io.unitcell.bench.operator;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * CPU time so far: this JVM (the operator and the polling), the testbed's kube-apiserver and etcd
 * (children of this JVM), and every process of the machine (/proc/stat, including kubectl).
 */
record Cpu(
    long jvmMs,
    long gcMs,
    long kubectlMs,
    long apiserverMs,
    long etcdMs,
    long machineBusyMs,
    Map<String, Long> threadsMs) {
  static Cpu now() {
    long apiserver = 0;
    long etcd = 0;
    for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
      String command = p.info().command().orElse("");
      long ms = p.info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
      if (command.endsWith("/kube-apiserver")) {
        apiserver += ms;
      } else if (command.endsWith("/etcd")) {
        etcd += ms;
      }
    }
    // Java threads by name without numbers; JIT compiler and GC threads are not among them
    Map<String, Long> threads = new TreeMap<>();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      long nanos = info == null ? -1 : mx.getThreadCpuTime(info.getThreadId());
      if (nanos > 0) {
        threads.merge(info.getThreadName().replaceAll("[0-9]+", "#"), nanos / 1_000_000, Long::sum);
      }
    }
    return new Cpu(
        ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(0L),
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .mapToLong(GarbageCollectorMXBean::getCollectionTime)
            .sum(),
        exitedChildrenMs(),
        apiserver,
        etcd,
        machineBusyNow(),
        threads);
  }

  Cpu minus(Cpu before) {
    return new Cpu(
        jvmMs - before.jvmMs,
        gcMs - before.gcMs,
        kubectlMs - before.kubectlMs,
        apiserverMs - before.apiserverMs,
        etcdMs - before.etcdMs,
        machineBusyMs - before.machineBusyMs,
        threadsMs.entrySet().stream()
            .collect(
                Collectors.toMap(
                    Map.Entry::getKey,
                    e -> e.getValue() - before.threadsMs.getOrDefault(e.getKey(), 0L),
                    Long::sum,
                    TreeMap::new)));
  }

  long otherMs() {
    return machineBusyMs - jvmMs - kubectlMs - apiserverMs - etcdMs;
  }

  // /proc/self/stat fields 16 and 17, cutime and cstime: the CPU of children that exited and were
  // waited for; the testbed's daemons run on, so here that is kubectl
  private static long exitedChildrenMs() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 10;
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }

  // /proc/stat: cpu user nice system idle iowait irq softirq steal ..., in 1/100 s; busy
  // leaves out idle, iowait and steal (time the hypervisor gave to other guests)
  private static long machineBusyNow() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i <= Math.min(7, fields.length - 1); i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(fields[i]);
        }
      }
      return busy * 10;
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }
}
