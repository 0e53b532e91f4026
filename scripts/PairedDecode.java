import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Paired A/B of whole decode steps in ONE JVM (issue 18; a shared machine makes separate runs incomparable): one class
 * loader per build (a file holding its jar class path, e.g. .panamax/classpath of each checkout), each opening the model,
 * decoding rounds of 128 tokens at positions 0..127 in turn; prints each one's thread CPU per token over the second half
 * of the rounds. An argument FILE@key=value@... sets system properties while that build opens its backend
 * (backend=reference, panamax.cpu.scalar.matmul=0, ...). -Dmodel=FILE -Dthreads=N -Drounds=N.
 * Usage: java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED scripts/PairedDecode.java A B...
 */
public class PairedDecode {
    public static void main(String[] args) throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String model = System.getProperty("model", "/work/shared/models/stories260K-f32.gguf");
        int nthreads = Integer.getInteger("threads", 1), rounds = Integer.getInteger("rounds", 60);
        int n = args.length;
        Object[] tr = new Object[n]; Method[] fwd = new Method[n]; float[][] logits = new float[n][];
        for (int b = 0; b < n; b++) {
            String[] spec = args[b].split("@");
            System.clearProperty("panamax.cpu.scalar.matmul"); System.clearProperty("panamax.cpu.scalar.attention"); System.clearProperty("panamax.cpu.scalar.elements"); System.clearProperty("backend");
            for (int q = 1; q < spec.length; q++) { String[] kv = spec[q].split("="); System.setProperty(kv[0], kv[1]); }
            String cp = Files.readString(Path.of(spec[0])).trim();
            String backend = System.getProperty("backend", "cpu"); System.clearProperty("backend");
            URL[] urls = Arrays.stream(cp.split(":")).map(s -> { try { return Path.of(s).toUri().toURL(); } catch (Exception e) { throw new RuntimeException(e); } }).toArray(URL[]::new);
            ClassLoader cl = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
            Class<?> backends = cl.loadClass("dev.panamax.tensor.Backends");
            Object ops = backends.getMethod("open", String.class, int.class).invoke(null, backend, nthreads);
            Class<?> opsC = cl.loadClass("dev.panamax.tensor.Ops");
            Class<?> dtype = cl.loadClass("dev.panamax.tensor.DType");
            Class<?> lo = cl.loadClass("dev.panamax.transformer.LoadOptions");
            Object f16 = dtype.getField("F16").get(null);
            Object opts = lo.getConstructor(int.class, dtype, int.class).newInstance(1, f16, 128);
            Object m = cl.loadClass("dev.panamax.transformer.Model").getMethod("open", Path.class, opsC, lo).invoke(null, Path.of(model), ops, opts);
            tr[b] = m.getClass().getMethod("transformer").invoke(m);
            fwd[b] = tr[b].getClass().getMethod("forward", int[].class, int.class, float[].class);
            logits[b] = new float[512];
        }
        long[][] cpu = new long[n][rounds];
        int[] one = new int[1];
        for (int r = 0; r < rounds; r++) {
            for (int b = 0; b < n; b++) {
                long t0 = threads.getCurrentThreadCpuTime();
                for (int p = 0; p < 128; p++) {
                    one[0] = 1 + (p * 31 + 7) % 511;
                    fwd[b].invoke(tr[b], one, p, logits[b]);
                }
                cpu[b][r] = threads.getCurrentThreadCpuTime() - t0;
            }
        }
        for (int b = 0; b < n; b++) {
            long[] last = Arrays.copyOfRange(cpu[b], rounds / 2, rounds); Arrays.sort(last);
            System.out.printf("%s: thread CPU per token, 2nd half of %d rounds: median %.1f us, min %.1f us, logit0 %s%n", args[b], rounds,
                    last[last.length / 2] / 128e3, last[0] / 128e3, logits[b][0]);
        }
    }
}
