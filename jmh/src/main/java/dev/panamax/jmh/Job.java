package dev.panamax.jmh;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JMH invocation of the suite: some methods of one benchmark class with the parameter values
 * for them. Different classes need different values for parameters of the same name, so each class
 * gets its own run.
 *
 * @param benchmark the benchmark class
 * @param methods   its benchmark methods to run
 * @param params    parameter name -> values
 * @param maxOps    iterations (warm-up plus measurement) at most, for benchmarks whose one operation
 *                  takes seconds; 0 = the profile's own
 */
public record Job(Class<?> benchmark, List<String> methods, Map<String, List<String>> params, int maxOps) {

    /** Copies the methods and parameters, so that the job stays immutable. */
    public Job {
        methods = List.copyOf(methods);
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /**
     * A job with the profile's own iteration counts.
     *
     * @param benchmark the JMH benchmark class
     * @param methods   its benchmark methods to run
     * @param params    parameter name -> values
     */
    public Job(Class<?> benchmark, List<String> methods, Map<String, List<String>> params) {
        this(benchmark, methods, params, 0);
    }

    /**
     * The same job limited to {@code n} iterations in all (one warm-up, the rest measured).
     *
     * @param n the iterations in all
     * @return the new job
     */
    public Job limitedTo(int n) {
        return new Job(benchmark, methods, params, n);
    }

    /** {@return "dev.panamax.jmh.kernels.MatmulBench.matmul" for each method} */
    public List<String> names() {
        return methods.stream().map(m -> benchmark.getName() + "." + m).toList();
    }

    /** {@return whether the benchmark takes a "backend" parameter (runs through {@code Ops})} */
    public boolean usesBackend() {
        return params.containsKey("backend");
    }

    /**
     * The same job with other values for one parameter.
     *
     * @param param  the parameter's name
     * @param values its values
     * @return the new job
     */
    public Job with(String param, List<String> values) {
        Map<String, List<String>> p = new LinkedHashMap<>(params);
        p.put(param, values);
        return new Job(benchmark, methods, p, maxOps);
    }

    /**
     * The same job restricted to some methods.
     *
     * @param someMethods the methods to keep
     * @return the new job
     */
    public Job only(List<String> someMethods) {
        return new Job(benchmark, someMethods, params, maxOps);
    }
}
