package dev.panamax.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The bench command's plan: profiles, backend checks and the include filter, without running JMH. */
class BenchMainTest {

    private static List<Job> plan(List<String> notes, String... args) {
        BenchMain main = new BenchMain();
        new CommandLine(main).parseArgs(args);
        return main.plan(main.profileChoice != null && main.profileChoice.full ? Profile.FULL : Profile.QUICK, 2, notes);
    }

    @Test
    void an_unknown_backend_is_skipped_with_a_note_and_its_kernels_are_not_run() {
        List<String> notes = new ArrayList<>();
        List<Job> jobs = plan(notes, "--backend", "no-such-backend");
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("Backend 'no-such-backend' skipped")), notes.toString());
        assertTrue(jobs.stream().noneMatch(Job::usesBackend), jobs.toString());
        assertTrue(jobs.stream().anyMatch(j -> j.benchmark().getSimpleName().equals("MachineLimitsBench")));
    }

    @Test
    void include_keeps_only_matching_methods() {
        List<Job> jobs = plan(new ArrayList<>(), "--include", "MachineLimitsBench.read");
        assertEquals(2, jobs.size(), "limits are measured before and after the kernels");
        assertEquals(List.of("readBandwidth"), jobs.getFirst().methods());
        assertEquals(List.of("1", "2"), jobs.getFirst().params().get("threads"));
    }

    @Test
    void full_profile_covers_every_dtype_and_shape_with_two_forks() {
        assertTrue(Profile.FULL.forks() >= 2);
        assertEquals(1, Profile.QUICK.forks());
        List<Job> jobs = Profile.FULL.jobs(List.of("cpu"), 2);
        Job decode = jobs.stream().filter(j -> j.benchmark().getSimpleName().equals("MatmulBench")
                && j.params().get("tokens").equals(List.of("1"))).findFirst().orElseThrow();
        assertEquals(11, decode.params().get("dtype").size());
        assertEquals(Profile.ALL_SHAPES, decode.params().get("shape"));
        Job gemm = jobs.stream().filter(j -> j.benchmark().getSimpleName().equals("GemmBench")).findFirst().orElseThrow();
        assertEquals(List.of("512", "1024", "2048", "4096"), gemm.params().get("size"));
        assertFalse(jobs.stream().anyMatch(j -> j.params().values().stream().anyMatch(List::isEmpty)));
    }

    @Test
    void dry_run_exits_zero_and_unknown_options_fail() {
        assertEquals(0, BenchMain.run("--dry-run", "--include", "Gemm"));
        assertEquals(2, BenchMain.run("--no-such-option"));
    }
}
