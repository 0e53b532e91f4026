package dev.panamax.transformer.cli;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The command line's entry point for a JVM of any version (the jar's {@code Main-Class}). This one class
 * is compiled for Java 8 (see the module's pom), so that an older JVM can load it and learn, in one
 * line, that Panamax needs Java 25, instead of failing with an {@code UnsupportedClassVersionError} on
 * the first class compiled for 25. On Java 25 or newer it runs {@link Main}.
 */
public final class VersionCheckingMain {
    /** The Java feature release that Panamax is compiled for. */
    static final int REQUIRED_JAVA = 25;

    private VersionCheckingMain() {
    }

    /**
     * Checks the Java version, then runs {@link Main} with {@code args}.
     *
     * @param args the command and its options, as for {@link Main#main(String[])}
     * @throws Throwable whatever {@link Main} throws
     */
    public static void main(String[] args) throws Throwable {
        String problem = problem(System.getProperty("java.specification.version"), System.getProperty("java.home"));
        if (problem != null) {
            System.err.println(problem);
            System.exit(1);
        }
        // looked up by name: a reference the compiler could see would make it read classes compiled for 25
        MethodHandle main = MethodHandles.publicLookup().findStatic(Class.forName("dev.panamax.transformer.cli.Main"), "main",
                MethodType.methodType(void.class, String[].class));
        main.invokeExact(args);
    }

    /**
     * Why this JVM cannot run Panamax, or null if it can.
     *
     * @param specificationVersion {@code java.specification.version}: "1.8", "17", "25", ...
     * @param javaHome             {@code java.home}, named in the message so that the user sees which Java ran
     */
    static String problem(String specificationVersion, String javaHome) {
        if (featureRelease(specificationVersion) >= REQUIRED_JAVA) {
            return null;
        }
        return "panamax: Panamax needs Java " + REQUIRED_JAVA + " or newer, but this is Java " + specificationVersion + " (" + javaHome
                + "); set JAVA_HOME to a JDK " + REQUIRED_JAVA + " (e.g. Temurin " + REQUIRED_JAVA + ") and run it with that java.";
    }

    /** 8 for "1.8", 17 for "17", 0 if it cannot be read. */
    static int featureRelease(String specificationVersion) {
        String v = specificationVersion == null ? "" : specificationVersion.trim();
        if (v.startsWith("1.")) {
            v = v.substring(2);
        }
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
    }
}
