package org.lethe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import aQute.bnd.differ.Baseline;
import aQute.bnd.differ.DiffPluginImpl;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Processor;
import aQute.bnd.version.Version;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that baselining catches a breaking change: bnd's baseline (what bnd-baseline-maven-plugin
 * runs on every build of this module) compares the committed 1.0.0 API with copies changed here.
 */
class BaselineTest {

    static final Path BASE = Path.of("baseline-repo/org/lethe/org.lethe.api/1.0.0/org.lethe.api-1.0.0.jar");

    @TempDir
    Path work;

    @Test
    void addingAMethodToAConsumerTypeNeedsAMajorVersion() throws Exception {
        Baseline.Info method = baseline("org.lethe.api.method", "UnlearningMethod", """
                package org.lethe.api.method;
                @org.osgi.annotation.versioning.ConsumerType
                public interface UnlearningMethod {
                    void unlearn(Task task, org.lethe.api.run.RunContext run) throws Exception;
                    String describe();
                }
                """);
        assertTrue(method.mismatch, "the unchanged package version 1.0.0 is a mismatch");
        assertEquals(new Version(2, 0, 0), method.suggestedVersion, "every implementer breaks: major");
    }

    @Test
    void addingAMethodToAProviderTypeNeedsAMinorVersion() throws Exception {
        Baseline.Info run = baseline("org.lethe.api.run", "RunService", """
                package org.lethe.api.run;
                @org.osgi.annotation.versioning.ProviderType
                public interface RunService {
                    RunSpec plan(RunSpec spec);
                    RunKey keyOf(RunSpec spec);
                    RunKey submit(RunSpec spec);
                    java.util.Optional<RunRecord> record(RunKey key);
                    java.util.List<RunRecord> runs();
                    boolean cancel(RunKey key, String reason);
                    RunRecord await(RunKey key, java.time.Duration timeout) throws InterruptedException;
                    AutoCloseable watch(RunKey key, java.util.function.Consumer<RunRecord> listener);
                    int queued();
                }
                """);
        assertTrue(run.mismatch, "the unchanged package version 1.0.0 is a mismatch");
        assertEquals(new Version(1, 1, 0), run.suggestedVersion, "only providers break: minor");
    }

    @Test
    void theCommittedBaselineAgreesWithItself() throws Exception {
        try (Processor processor = new Processor(); Jar older = new Jar(BASE.toFile()); Jar newer = new Jar(BASE.toFile())) {
            Set<Baseline.Info> infos = new Baseline(processor, new DiffPluginImpl()).baseline(newer, older, null);
            assertFalse(infos.isEmpty());
            assertTrue(infos.stream().noneMatch(i -> i.mismatch), "no mismatch without a change");
        }
    }

    /** Baselines a copy of the 1.0.0 jar whose one class is recompiled from {@code source}. */
    private Baseline.Info baseline(String packageName, String type, String source) throws Exception {
        Path sources = Files.createDirectories(work.resolve("src").resolve(packageName.replace('.', '/')));
        Path file = Files.writeString(sources.resolve(type + ".java"), source);
        Path classes = Files.createDirectories(work.resolve("classes"));
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        String classpath = BASE.toAbsolutePath() + File.pathSeparator + System.getProperty("java.class.path");
        int rc = compiler.run(null, null, null, "-d", classes.toString(), "-cp", classpath, "--release", "17",
                file.toString());
        assertEquals(0, rc, "the changed API compiles");
        String entry = packageName.replace('.', '/') + "/" + type + ".class";
        Path changed = work.resolve("changed.jar");
        replaceEntry(BASE, changed, entry, classes.resolve(entry));
        try (Processor processor = new Processor(); Jar older = new Jar(BASE.toFile());
                Jar newer = new Jar(changed.toFile())) {
            Set<Baseline.Info> infos = new Baseline(processor, new DiffPluginImpl()).baseline(newer, older, null);
            return infos.stream().filter(i -> i.packageName.equals(packageName)).findFirst().orElseThrow();
        }
    }

    private static void replaceEntry(Path jar, Path target, String name, Path replacement) throws IOException {
        try (JarFile in = new JarFile(jar.toFile()); OutputStream file = Files.newOutputStream(target);
                JarOutputStream out = new JarOutputStream(file)) {
            for (JarEntry entry : List.copyOf(in.stream().toList())) {
                out.putNextEntry(new JarEntry(entry.getName()));
                if (entry.getName().equals(name)) {
                    Files.copy(replacement, out);
                } else {
                    try (InputStream data = in.getInputStream(entry)) {
                        data.transferTo(out);
                    }
                }
                out.closeEntry();
            }
        }
    }
}
