package dev.panamax.transformer.cli;

import dev.panamax.kernels.cpu.VectorSupport;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.OpsProvider;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code panamax info}: what this JVM and machine give Panamax to work with. */
@Command(name = "info", description = "Show the JDK, the vector width, the CPU backend in use and whether CUDA is available.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Runtime.Version v = Runtime.version();
        out.printf("JDK:          %s %s (%s)%n", System.getProperty("java.vm.vendor"), v, System.getProperty("java.home"));
        out.printf("OS / CPU:     %s %s, %d processors%n", System.getProperty("os.name"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors());
        out.printf("Vector API:   %s%n", VectorSupport.describe());
        try (Ops cpu = Backends.openCpu(Runtime.getRuntime().availableProcessors())) {
            out.printf("CPU backend:  %s%n", cpu.name());
            out.printf("Prefill GEMM: %s%n", dev.panamax.kernels.cpu.CpuMatmul.wideBatchGemm());
            out.printf("Decode dots:  %s%n", dev.panamax.kernels.cpu.CpuMatmul.decodeDots());
        } catch (RuntimeException e) {
            out.printf("CPU backend:  none (%s)%n", e.getMessage());
        }
        for (OpsProvider p : Backends.providers()) {
            out.printf("backend %-10s %s%n", p.name() + ":", p.unavailableReason().map(r -> "unavailable: " + r).orElse("available"));
        }
        if (Backends.providers().stream().noneMatch(p -> p.name().equals("cuda"))) {
            out.println("CUDA:         unavailable: the panamax-kernels-cuda backend is not on the class path"
                    + " (add the dev.panamax:panamax-kernels-cuda artifact to use a GPU)");
        }
        return 0;
    }
}
