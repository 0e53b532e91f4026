package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * panamax-bom has no parent (so that importing it pins only Panamax's artifacts), so nothing in Maven
 * keeps it in step with the modules: this does. Read from the checkout (tests run in the module's directory).
 */
class BomTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern ARTIFACT = Pattern.compile("<artifactId>(panamax-[a-z0-9-]+)</artifactId>");

    private static String firstMatch(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new AssertionError("no " + regex);
        }
        return m.group(1);
    }

    private static String withoutComments(Path pom) throws IOException {
        return Files.readString(pom).replaceAll("(?s)<!--.*?-->", "");
    }

    @Test
    void the_bom_lists_every_library_module_at_the_projects_version() throws IOException {
        String parent = withoutComments(ROOT.resolve("pom.xml"));
        String bom = withoutComments(ROOT.resolve("bom/pom.xml"));
        String version = firstMatch(parent, "<artifactId>panamax-parent</artifactId>\\s*<version>([^<]+)</version>");
        assertEquals(version, firstMatch(bom, "<artifactId>panamax-bom</artifactId>\\s*<version>([^<]+)</version>"));

        List<String> libraries = new ArrayList<>();
        Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
        while (modules.find()) {
            String module = modules.group(1);
            if (module.equals("bom") || module.equals("jmh")) { // the BOM itself; the benchmarks are not published
                continue;
            }
            String pom = withoutComments(ROOT.resolve(module).resolve("pom.xml"));
            libraries.add(firstMatch(pom, "</parent>\\s*<artifactId>([^<]+)</artifactId>"));
        }
        String managed = bom.substring(bom.indexOf("<dependencyManagement>"), bom.indexOf("</dependencyManagement>"));
        List<String> listed = new ArrayList<>();
        Matcher a = ARTIFACT.matcher(managed);
        while (a.find()) {
            listed.add(a.group(1));
        }
        assertEquals(libraries, listed, "panamax-bom's dependencyManagement, in module order");
        assertEquals(libraries.size(), managed.split("<version>\\$\\{project.version}</version>", -1).length - 1,
                "each at ${project.version}");
    }
}
