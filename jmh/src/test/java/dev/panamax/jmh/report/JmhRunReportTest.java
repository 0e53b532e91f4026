package dev.panamax.jmh.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.panamax.jmh.limits.MachineLimitsBench;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** A real, tiny JMH run in this JVM, through JMH's JSON output, into the report. */
class JmhRunReportTest {

    @Test
    void a_real_jmh_result_becomes_a_report_row_with_a_rate(@TempDir Path dir) throws RunnerException, IOException {
        Path json = dir.resolve("jmh.json");
        // this run checks the result plumbing, not speed: do not wait for a benchmark run elsewhere on the machine
        System.setProperty("jmh.ignoreLock", "true");
        new Runner(new OptionsBuilder()
                .include("^" + MachineLimitsBench.class.getName().replace(".", "\\.") + "\\.fmaPeak$")
                .param("threads", "1")
                .forks(0)
                .warmupIterations(1).warmupTime(TimeValue.milliseconds(100))
                .measurementIterations(2).measurementTime(TimeValue.milliseconds(100))
                .result(json.toString()).resultFormat(ResultFormatType.JSON)
                .shouldFailOnError(true)
                .build()).run();

        ResultFile run = new ResultFile(RooflineReportTest.MACHINE, "test", List.of(), ResultFile.readJmhArray(json));
        List<BenchRecord> records = run.records();
        assertEquals(1, records.size());
        BenchRecord r = records.getFirst();
        assertEquals("MachineLimitsBench.fmaPeak", r.kernel());
        assertEquals("ms/op", r.unit());
        assertEquals("1", r.param("threads"));

        SummaryRow row = Roofline.rows(records).getFirst();
        double expected = MachineLimitsBench.FLOPS_PER_OP / r.secondsPerOp() / 1e9;
        assertEquals(expected, row.gflops(), 1e-9 * expected);
        assertTrue(row.gflops() > 0.1, "a vector FMA loop runs faster than 0.1 GFLOP/s: " + row.gflops());
        assertEquals(1.0, row.fraction(), 1e-12, "the limit is itself");

        ReportWriter.write(run, dir.resolve("report"));
        String md = Files.readString(dir.resolve("report").resolve(ReportWriter.SUMMARY));
        assertTrue(md.contains("| MachineLimitsBench.fmaPeak | threads=1 |"), md);
    }
}
