package dev.panamax.jmh.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jdk.incubator.vector.FloatVector;

/**
 * The machine a result set was measured on, stored next to the raw JMH results so that results of
 * different machines and JDKs can be compared.
 *
 * @param cpuModel   "model name" of /proc/cpuinfo
 * @param cores      processors available to the JVM
 * @param vectorBits bits of {@code FloatVector.SPECIES_PREFERRED} (0 without the Vector API)
 * @param jdk        vendor, version and VM of the JDK
 * @param os         name, version and architecture
 * @param gpu        what {@code nvidia-smi} reports, or "none"
 * @param load       the 1-minute load average when the run started (other processes competing for the cores)
 */
public record MachineInfo(String cpuModel, int cores, int vectorBits, String jdk, String os, String gpu, double load) {

    /** {@return describes the machine this JVM runs on} */
    public static MachineInfo detect() {
        return new MachineInfo(detectCpuModel(), Runtime.getRuntime().availableProcessors(), detectVectorBits(),
                System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version") + " ("
                        + System.getProperty("java.vm.name") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                detectGpu(), detectLoad());
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpuModel", cpuModel);
        m.put("cores", cores);
        m.put("vectorBits", vectorBits);
        m.put("jdk", jdk);
        m.put("os", os);
        m.put("gpu", gpu);
        m.put("loadAverage1m", load);
        return m;
    }

    static MachineInfo fromJson(Map<?, ?> m) {
        return new MachineInfo(String.valueOf(m.get("cpuModel")), (int) Json.number(m.get("cores")),
                (int) Json.number(m.get("vectorBits")), String.valueOf(m.get("jdk")), String.valueOf(m.get("os")),
                String.valueOf(m.get("gpu")), m.containsKey("loadAverage1m") ? Json.number(m.get("loadAverage1m")) : Double.NaN);
    }

    private static String detectCpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch") + " (model unknown)";
    }

    private static int detectVectorBits() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return 0;
        }
        return Species.bits();
    }

    /** Kept apart so that nothing links the incubator module when it is absent. */
    private static final class Species {
        static int bits() {
            return FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }

    private static double detectLoad() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String detectGpu() {
        try {
            Process p = new ProcessBuilder(List.of("nvidia-smi", "--query-gpu=name,memory.total,driver_version",
                    "--format=csv,noheader")).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroy();
                return "none (nvidia-smi did not answer)";
            }
            return p.exitValue() == 0 && !out.isEmpty() ? out.replace('\n', ';') : "none";
        } catch (IOException e) {
            return "none";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "none";
        }
    }
}
